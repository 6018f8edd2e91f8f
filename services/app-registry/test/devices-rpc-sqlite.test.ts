import { deviceRpcSuite } from "./devices/rpc";

deviceRpcSuite("sqlite");
