import { deviceRestSuite } from "./devices/rest";

deviceRestSuite("sqlite");
