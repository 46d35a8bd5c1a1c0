// JSON Schema of the config file for editors (configs/schema.json; a golden test keeps it current).
import { z } from 'zod';
import { configSchema } from './schema.js';

export function generateConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: 'https://github.com/tsn-stream/tsn-stream/configs/schema.json',
    title: 'tsn-stream config',
  };
}

export function configJsonSchemaText(): string {
  return `${JSON.stringify(generateConfigJsonSchema(), null, 2)}\n`;
}
