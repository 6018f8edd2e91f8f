import { expect, test } from "bun:test";
import { ValidationError } from "../errors";
import { parseDeviceCsv } from "./device-csv";

test("columns in any order; quoted fields with commas and doubled quotes; labels k=v;k=v; empty optional cells are absent", () => {
  const rows = parseDeviceCsv(
    '\uFEFFlabels,device_type,device_id,name\r\n"a=1; b = x=y",smart_meter,m-1,"Say ""hi"", twice"\r\n,smart_meter,m-2,\n\n',
  );
  expect(rows).toEqual([
    { values: { labels: { a: "1", b: "x=y" }, device_type: "smart_meter", device_id: "m-1", name: 'Say "hi", twice' } },
    { values: { labels: {}, device_type: "smart_meter", device_id: "m-2" } },
  ]);
});

test("a broken row is that row's error, by line number; the others are read", () => {
  const rows = parseDeviceCsv('device_id,device_type\n"open,smart_meter\nx"y,smart_meter\nok,smart_meter\nshort\n');
  expect(rows).toEqual([
    { error: "line 2: broken quoting." },
    { error: "line 3: broken quoting." },
    { values: { device_id: "ok", device_type: "smart_meter" } },
    { error: "line 5: 1 fields, the header has 2.", deviceId: "short" },
  ]);
  const [odd] = parseDeviceCsv("device_id,device_type,labels\nd,t,__proto__=x\n") as [{ values: { labels: object } }];
  expect(Object.entries(odd.values.labels)).toEqual([["__proto__", "x"]]);
  expect(parseDeviceCsv("device_id,device_type,labels\nd,t,novalue\n")).toEqual([
    { error: 'line 2: labels: "novalue" is not key=value.', deviceId: "d" },
  ]);
});

test("a bad header fails the whole file, naming each problem", () => {
  const problems = (text: string) => {
    try {
      parseDeviceCsv(text);
    } catch (e) {
      if (e instanceof ValidationError) return e.details.csv;
    }
    return undefined;
  };
  expect(problems("")).toEqual(["The first line must be a header row: device_id,device_type[,name,labels,status]."]);
  expect(problems("device_id,kind,device_id\n")).toEqual([
    'Unknown column "kind".',
    "Missing column device_type.",
    "Column device_id appears twice.",
  ]);
});
