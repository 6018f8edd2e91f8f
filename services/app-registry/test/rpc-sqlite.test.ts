import { rpcSuite } from "./rpc-suite";

rpcSuite("sqlite");
