import { z } from 'zod';
import { configSchema } from './schema';

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
}

export interface ConfigKeyDoc {
  key: string;
  type: string;
  default: string;
  description: string;
}

function typeOf(node: JsonSchemaNode): string {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (node.anyOf) return node.anyOf.map(typeOf).join(' \\| ');
  if (node.type === 'array') return `${node.items ? typeOf(node.items) : 'any'}[]`;
  return Array.isArray(node.type) ? node.type.join(' \\| ') : (node.type ?? 'any');
}

/** Every configuration key with its type, default and description, read from the schema itself. */
export function configKeyDocs(): ConfigKeyDoc[] {
  const root = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const docs: ConfigKeyDoc[] = [];
  const walk = (node: JsonSchemaNode, path: string[]) => {
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const key = [...path, name];
      const isGroup = child.type === 'object' && child.properties && Object.keys(child.properties).length > 0;
      if (isGroup) {
        walk(child, key);
        continue;
      }
      docs.push({
        key: key.join('.'),
        type: typeOf(child),
        default: child.default === undefined ? '(none)' : JSON.stringify(child.default),
        description: (child.description ?? '').replaceAll('|', '\\|'),
      });
    }
  };
  walk(root, []);
  return docs;
}

/** The README's configuration table, generated so it cannot drift from the schema. */
export function configReferenceMarkdown(): string {
  const rows = configKeyDocs().map((d) => `| \`${d.key}\` | ${d.type} | \`${d.default}\` | ${d.description} |`);
  return ['| Key | Type | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}
