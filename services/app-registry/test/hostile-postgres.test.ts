import { hostileSuite } from "./hostile/suite";

hostileSuite("postgres");
