import { deviceRpcSuite } from "./devices/rpc";

deviceRpcSuite("postgres");
