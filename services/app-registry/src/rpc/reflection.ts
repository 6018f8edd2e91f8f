/**
 * gRPC server reflection (grpc.reflection.v1 and v1alpha) over the generated descriptors, so
 * `buf curl --list-services` and calls without local protos work. Connect-ES ships none.
 */
import type { DescFile, DescService } from "@bufbuild/protobuf";
import { createRegistry, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import * as v1 from "@gen/grpc/reflection/v1/reflection_pb";
import * as v1alpha from "@gen/grpc/reflection/v1alpha/reflection_pb";

/** The request oneof, identical in both versions. */
type Ask =
  | { case: "fileByFilename" | "fileContainingSymbol" | "allExtensionNumbersOfType" | "listServices"; value: string }
  | { case: "fileContainingExtension"; value: { containingType: string; extensionNumber: number } }
  | { case: undefined; value?: undefined };

const NOT_FOUND = 5;
const INVALID_ARGUMENT = 3;

/** These files first, then everything they import, transitively; by file name. */
function withImports(roots: DescFile[]): Map<string, DescFile> {
  const out = new Map<string, DescFile>();
  const walk = (f: DescFile): void => {
    if (out.has(f.proto.name)) return;
    out.set(f.proto.name, f);
    f.dependencies.forEach(walk);
  };
  roots.forEach(walk);
  return out;
}

/** Answers reflection questions about `services` (plus reflection itself) and their files. */
export function createReflection(services: DescService[]) {
  const served = [...services, v1.ServerReflection, v1alpha.ServerReflection];
  const files = withImports(served.map((s) => s.file));
  const types = createRegistry(...files.values());

  const withDeps = (file: DescFile) => ({
    fileDescriptorProto: [...withImports([file]).values()].map((f) => toBinary(FileDescriptorProtoSchema, f.proto)),
  });
  const fileOf = (symbol: string): DescFile | undefined => {
    const desc = types.get(symbol);
    if (desc) return desc.file;
    const dot = symbol.lastIndexOf("."); // a method: package.Service.Method
    const parent = types.getService(symbol.slice(0, dot));
    return parent?.methods.some((m) => m.name === symbol.slice(dot + 1)) ? parent.file : undefined;
  };
  const notFound = (what: string) => ({
    case: "errorResponse" as const,
    value: { errorCode: NOT_FOUND, errorMessage: `${what} not found` },
  });

  const answer = (ask: Ask) => {
    switch (ask.case) {
      case "listServices":
        return { case: "listServicesResponse" as const, value: { service: served.map((s) => ({ name: s.typeName })) } };
      case "fileByFilename": {
        const file = files.get(ask.value);
        return file
          ? { case: "fileDescriptorResponse" as const, value: withDeps(file) }
          : notFound(`file ${ask.value}`);
      }
      case "fileContainingSymbol": {
        const file = fileOf(ask.value);
        return file
          ? { case: "fileDescriptorResponse" as const, value: withDeps(file) }
          : notFound(`symbol ${ask.value}`);
      }
      case "fileContainingExtension": {
        const message = types.getMessage(ask.value.containingType);
        const ext = message && types.getExtensionFor(message, ask.value.extensionNumber);
        return ext ? { case: "fileDescriptorResponse" as const, value: withDeps(ext.file) } : notFound("extension");
      }
      case "allExtensionNumbersOfType": {
        const message = types.getMessage(ask.value);
        if (!message) return notFound(`type ${ask.value}`);
        // No file served here declares extensions.
        return {
          case: "allExtensionNumbersResponse" as const,
          value: { baseTypeName: ask.value, extensionNumber: [] },
        };
      }
      default:
        return {
          case: "errorResponse" as const,
          value: { errorCode: INVALID_ARGUMENT, errorMessage: "empty request" },
        };
    }
  };

  return (router: ConnectRouter) =>
    router
      .service(v1.ServerReflection, {
        async *serverReflectionInfo(requests) {
          for await (const req of requests)
            yield { validHost: req.host, originalRequest: req, messageResponse: answer(req.messageRequest) };
        },
      })
      .service(v1alpha.ServerReflection, {
        async *serverReflectionInfo(requests) {
          for await (const req of requests)
            yield { validHost: req.host, originalRequest: req, messageResponse: answer(req.messageRequest) };
        },
      });
}
