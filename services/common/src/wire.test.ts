import { expect, test } from "bun:test";
import { ApplicationStatus, Platform } from "@gen/iot/registry/v1/registry_pb";
import { nameOfProto, PLATFORMS, PROTO_PLATFORM, PROTO_STATUS, STATUSES } from "./wire";

/** Every number a protobuf enum defines, UNSPECIFIED (0) aside. */
const numbersOf = (e: object) => Object.values(e).filter((v): v is number => typeof v === "number" && v !== 0);

test("every platform and status the registry's protobuf defines has one name, and back", () => {
  expect(numbersOf(Platform).map((n) => nameOfProto(PROTO_PLATFORM, n))).toEqual([...PLATFORMS]);
  expect(numbersOf(ApplicationStatus).map((n) => nameOfProto(PROTO_STATUS, n))).toEqual([...STATUSES]);
  expect(nameOfProto(PROTO_PLATFORM, Platform.UNSPECIFIED)).toBeUndefined();
  expect(nameOfProto(PROTO_STATUS, 99)).toBeUndefined();
});
