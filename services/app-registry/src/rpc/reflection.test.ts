/** Reflection answers, in memory (createRouterTransport): both versions, every request kind. */
import { expect, test } from "bun:test";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { createClient, createRouterTransport } from "@connectrpc/connect";
import * as v1 from "@gen/grpc/reflection/v1/reflection_pb";
import * as v1alpha from "@gen/grpc/reflection/v1alpha/reflection_pb";
import { ApplicationRegistryService } from "@gen/iot/registry/v1/registry_pb";
import { createReflection } from "./reflection";

const transport = createRouterTransport(createReflection([ApplicationRegistryService]));

async function ask(service: typeof v1.ServerReflection | typeof v1alpha.ServerReflection, requests: object[]) {
  const client = createClient(service as typeof v1.ServerReflection, transport);
  const answers = [];
  for await (const res of client.serverReflectionInfo(
    (async function* () {
      for (const r of requests) yield { host: "h", ...r };
    })(),
  ))
    answers.push(res);
  return answers;
}
const fileNames = (res: v1.ServerReflectionResponse) =>
  res.messageResponse.case === "fileDescriptorResponse"
    ? res.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name)
    : res.messageResponse;

for (const [version, service] of [
  ["v1", v1.ServerReflection],
  ["v1alpha", v1alpha.ServerReflection],
] as const) {
  test(`${version}: lists services, and finds files by name and by symbol with their imports`, async () => {
    const [list, byName, byService, byMethod, byMessage, byEnumValueParent] = await ask(service, [
      { messageRequest: { case: "listServices", value: "" } },
      { messageRequest: { case: "fileByFilename", value: "iot/registry/v1/registry.proto" } },
      { messageRequest: { case: "fileContainingSymbol", value: "iot.registry.v1.ApplicationRegistryService" } },
      {
        messageRequest: {
          case: "fileContainingSymbol",
          value: "iot.registry.v1.ApplicationRegistryService.WatchApplications",
        },
      },
      { messageRequest: { case: "fileContainingSymbol", value: "iot.registry.v1.Application" } },
      { messageRequest: { case: "fileContainingSymbol", value: "iot.registry.v1.Platform" } },
    ]);
    expect(list!.messageResponse.value).toMatchObject({
      service: [
        { name: "iot.registry.v1.ApplicationRegistryService" },
        { name: "grpc.reflection.v1.ServerReflection" },
        { name: "grpc.reflection.v1alpha.ServerReflection" },
      ],
    });
    expect(list!.validHost).toBe("h");
    expect(list!.originalRequest?.messageRequest.case).toBe("listServices");
    for (const res of [byName, byService, byMethod, byMessage, byEnumValueParent])
      expect(fileNames(res!)).toEqual(["iot/registry/v1/registry.proto", "google/protobuf/timestamp.proto"]);
  });

  test(`${version}: unknown names → NOT_FOUND errors on the stream, which stays open`, async () => {
    const answers = await ask(service, [
      { messageRequest: { case: "fileByFilename", value: "nope.proto" } },
      { messageRequest: { case: "fileContainingSymbol", value: "iot.registry.v1.ApplicationRegistryService.Nope" } },
      {
        messageRequest: {
          case: "fileContainingExtension",
          value: { containingType: "iot.registry.v1.Application", extensionNumber: 100 },
        },
      },
      { messageRequest: { case: "allExtensionNumbersOfType", value: "no.Such" } },
      { messageRequest: { case: "allExtensionNumbersOfType", value: "iot.registry.v1.Application" } },
    ]);
    expect(
      answers
        .slice(0, 4)
        .map((a) => [a.messageResponse.case, (a.messageResponse.value as { errorCode: number }).errorCode]),
    ).toEqual(Array(4).fill(["errorResponse", 5]));
    expect(answers[4]!.messageResponse.value).toMatchObject({
      baseTypeName: "iot.registry.v1.Application",
      extensionNumber: [],
    });
  });
}
