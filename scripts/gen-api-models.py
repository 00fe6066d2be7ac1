#!/usr/bin/env python3
"""Generates src/Quai.Api.Models/Generated/*.cs from moby's swagger (Docker Engine API v1.50).

Usage: scripts/gen-api-models.py [path/to/docker-engine-api-v1.50.yaml]
The swagger is read from ../shared/reference by default; nothing of it is committed but the
C# data types this script derives from it. Re-run after changing the selection below.
"""
import os, re, sys, yaml

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '../../shared/reference/docker-engine-api-v1.50.yaml')
OUT = os.path.join(os.path.dirname(__file__), '../src/Quai.Api.Models/Generated')
spec = yaml.safe_load(open(SRC))
defs = spec['definitions']

# Swarm, plugins and cluster volumes are not part of Quai: left out.
SKIP = re.compile(r'^(Node|Swarm|Task|Service|Secret|Config(Spec|Reference)?$|Cluster|Plugin|Peer|Join|Manager|Reachability|Endpoint(Spec|PortConfig)|ObjectVersion|Topology|TLSInfo|Engine|GenericResources|ResourceObject|Limit|NetworkAttachmentConfig|LocalNodeState|DeviceInfo|Driver$|BuildCache|BuildInfo)')
# Fields that docker accepts as a string or an array of strings (Go's strslice.StrSlice).
STRSLICE = {('ContainerConfig', 'Cmd'), ('ContainerConfig', 'Entrypoint'), ('HealthConfig', 'Test'),
            ('ContainerConfig', 'Shell'), ('ImageConfig', 'Cmd'), ('ImageConfig', 'Entrypoint'), ('ImageConfig', 'Shell')}

classes = {}   # name -> (description, [(json, cstype, description, converter)])
order = []

def pascal(s):
    s = re.sub(r'[^0-9A-Za-z]', '_', s)
    parts = [p for p in s.split('_') if p]
    r = ''.join(p[0].upper() + p[1:] for p in parts) or 'Value'
    return r if not r[0].isdigit() else 'N' + r

def cstype(schema, owner, prop):
    if schema is None:
        return 'JsonElement?'
    if '$ref' in schema:
        n = schema['$ref'].split('/')[-1]
        d = defs.get(n, {})
        if 'properties' not in d and 'allOf' not in d and isinstance(d.get('additionalProperties'), dict):
            return cstype({'type': 'object', 'additionalProperties': d['additionalProperties']}, owner, prop)
        if d.get('type') in ('string', 'integer', 'number', 'boolean', 'array'):
            return cstype(d, owner, prop)
        return n + '?' if n in classes or not SKIP.match(n) else 'JsonElement?'
    if 'allOf' in schema:
        return build_object(owner + pascal(prop), schema) + '?'
    t = schema.get('type')
    if t == 'string':
        return 'string?'
    if t == 'integer':
        return ('int?' if schema.get('format') in ('int32', 'uint32') or prop in ('ExitCode',) else 'long?')
    if t == 'number':
        return 'double?'
    if t == 'boolean':
        return 'bool?'
    if t == 'array':
        inner = cstype(schema.get('items'), owner, prop + 'Item').rstrip('?')
        return f'List<{inner}>?'
    if t == 'object' or 'properties' in schema or 'additionalProperties' in schema:
        if 'properties' in schema:
            return build_object(owner + pascal(prop), schema) + '?'
        ap = schema.get('additionalProperties')
        if isinstance(ap, dict):
            if ap.get('type') == 'object' and 'properties' not in ap and '$ref' not in ap:
                return 'Dictionary<string, EmptyObject>?'
            inner = cstype(ap, owner, prop + 'Value')
            if not inner.startswith(('List<', 'Dictionary<')):
                inner = inner.rstrip('?')
            return f'Dictionary<string, {inner}>?'
        return 'Dictionary<string, JsonElement>?'
    return 'JsonElement?'

def collect(schema, props):
    if '$ref' in schema:
        collect(defs[schema['$ref'].split('/')[-1]], props)
        return
    for s in schema.get('allOf', []):
        collect(s, props)
    for k, v in (schema.get('properties') or {}).items():
        props[k] = v

def build_object(name, schema):
    if name in classes:
        return name
    classes[name] = None
    props = {}
    collect(schema, props)
    fields = []
    for k, v in props.items():
        t = cstype(v, name, k)
        conv = 'StrSliceConverter' if (name, k) in STRSLICE else None
        desc = (v.get('description') or '').strip().split('\n')[0][:160] if isinstance(v, dict) else ''
        fields.append((k, t, desc, conv))
    classes[name] = ((schema.get('description') or '').strip().split('\n')[0][:200], fields)
    order.append(name)
    return name

for n in defs:
    if not SKIP.match(n) and ('properties' in defs[n] or 'allOf' in defs[n]):
        classes.setdefault(n, None)
for n in list(classes):
    if classes[n] is None:
        del classes[n]
        build_object(n, defs[n])

# Request and response bodies that the swagger defines inline under a title in paths.
for path, ops in spec['paths'].items():
    for m, op in ops.items():
        if not isinstance(op, dict):
            continue
        schemas = [p.get('schema') for p in op.get('parameters', []) if p.get('in') == 'body']
        schemas += [r.get('schema') for r in op.get('responses', {}).values()]
        for s in schemas:
            if not s:
                continue
            if s.get('type') == 'array':
                s = s.get('items') or {}
            title = s.get('title') or s.get('x-go-name')
            if title and (s.get('type') == 'object' or 'properties' in s) and not SKIP.match(title):
                build_object(pascal(title), s)
build_object('ContainerCreateRequest', spec['paths']['/containers/create']['post']['parameters'][1]['schema']
             if spec['paths']['/containers/create']['post']['parameters'][1].get('in') == 'body'
             else [p for p in spec['paths']['/containers/create']['post']['parameters'] if p.get('in') == 'body'][0]['schema'])
build_object('ContainerUpdateRequest', [p for p in spec['paths']['/containers/{id}/update']['post']['parameters'] if p.get('in') == 'body'][0]['schema'])

def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')

os.makedirs(OUT, exist_ok=True)
for f in os.listdir(OUT):
    os.remove(os.path.join(OUT, f))
for name in order:
    desc, fields = classes[name]
    lines = ['// <auto-generated>scripts/gen-api-models.py from the Docker Engine API v1.50 swagger</auto-generated>',
             '#nullable enable', 'using System.Text.Json;', 'using System.Text.Json.Serialization;', '',
             'namespace Quai.Api.Models;', '',
             f'/// <summary>{esc(desc) or name + " (Docker Engine API)."}</summary>',
             f'public sealed partial class {name}', '{']
    used = set()
    for (k, t, d, conv) in fields:
        p = pascal(k)
        if p == name or p in used:
            p += 'Value'
        used.add(p)
        lines.append(f'    /// <summary>{esc(d) or k}</summary>')
        lines.append(f'    [JsonPropertyName("{k}")]')
        if conv:
            lines.append(f'    [JsonConverter(typeof({conv}))]')
        lines.append(f'    public {t} {p} {{ get; set; }}')
        lines.append('')
    if lines[-1] == '':
        lines.pop()
    lines.append('}')
    open(os.path.join(OUT, name + '.cs'), 'w').write('\n'.join(lines) + '\n')

with open(os.path.join(OUT, 'GeneratedTypes.txt'), 'w') as f:
    f.write('\n'.join(order) + '\n')
print(len(order), 'types')
