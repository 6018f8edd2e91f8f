import { rpcSuite } from "./rpc-suite";

rpcSuite("postgres");
