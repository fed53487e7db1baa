// Checks recorded real responses against the OpenAPI document the Worker
// serves, with Ajv (JSON Schema 2020-12, which OpenAPI 3.1 uses).
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export function validator(doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', components: doc.components });
  const templates = Object.keys(doc.paths).map((t) => ({ t, re: new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`) }));
  const fix = (schema) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'));
  const resolve = (obj) => (obj && obj.$ref ? obj.$ref.split('/').slice(1).reduce((o, k) => o[k], doc) : obj);
  return {
    templates: templates.map((x) => x.t),
    /** Returns a list of problems with one response (empty when it conforms). */
    check({ method, path, status, json, contentType }) {
      const tpl = templates.find((x) => x.re.test(path.split('?')[0]));
      if (!tpl) return [`${method} ${path}: not in the OpenAPI document`];
      const op = doc.paths[tpl.t][method.toLowerCase()];
      if (!op) return [`${method} ${tpl.t}: method not documented`];
      const res = resolve(op.responses[String(status)]);
      if (!res) return [`${method} ${tpl.t}: status ${status} not documented`];
      if (!res.content) return [];
      const [type, media] = Object.entries(res.content)[0];
      if (contentType && !contentType.startsWith(type)) return [`${method} ${tpl.t} ${status}: content-type ${contentType}, documented ${type}`];
      const validate = ajv.compile(fix(media.schema));
      return validate(json) ? [] : [`${method} ${tpl.t} ${status}: ${ajv.errorsText(validate.errors)}`];
    },
    match: (path) => templates.find((x) => x.re.test(path.split('?')[0]))?.t,
  };
}
