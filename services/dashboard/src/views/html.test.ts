import { expect, test } from "bun:test";
import { html } from "./html";

test("escapes every interpolated string, in text and in attributes", () => {
  const name = `<img src=x onerror=alert(1)>`;
  const id = `dev"><script>alert('x')</script>&`;
  expect(html`<p title="${id}">${name}</p>`.value).toBe(
    `<p title="dev&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&lt;img src=x onerror=alert(1)&gt;</p>`,
  );
});

test("nests Html unescaped, joins lists, and renders nothing for absent values", () => {
  const items = ["a<b", "c"].map((s) => html`<li>${s}</li>`);
  expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe("<ul><li>a&lt;b</li><li>c</li></ul>0");
});
