import { deviceRestSuite } from "./devices/rest";

deviceRestSuite("postgres");
