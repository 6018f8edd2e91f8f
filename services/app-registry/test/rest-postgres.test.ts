import { restSuite } from "./rest/context";

restSuite("postgres");
