import { hostileSuite } from "./hostile/suite";

hostileSuite("sqlite");
