import { restSuite } from "./rest/context";

restSuite("sqlite");
