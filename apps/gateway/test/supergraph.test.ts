import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql';
import { API_SCHEMA_FILE, SUPERGRAPH_FILE, composeSupergraph } from '../../../tools/compose/supergraph-composition.ts';

const SHARED_CONTRACT = fileURLToPath(new URL('../../../../shared/api-contract.graphql', import.meta.url));
const VENDORED_CONTRACT = fileURLToPath(new URL('../../../docs/api-contract.graphql', import.meta.url));

/** Output positions may be stricter than the contract (T! where it says T); everything else must match. */
function compatible(actual: GraphQLType, expected: GraphQLType, position: 'output' | 'input'): boolean {
  const a = actual.toString();
  const e = expected.toString();
  if (a === e) return true;
  if (position === 'output') return a.replace(/!/g, '') === e.replace(/!/g, '') && a.length > e.length;
  return e.replace(/!/g, '') === a.replace(/!/g, '') && e.length > a.length;
}

export function contractGaps(contract: GraphQLSchema, schema: GraphQLSchema): string[] {
  const gaps: string[] = [];
  for (const [name, type] of Object.entries(contract.getTypeMap())) {
    if (name.startsWith('__')) continue;
    const actual = schema.getType(name);
    if (!actual) {
      gaps.push(`type ${name} is missing`);
      continue;
    }
    if (actual.constructor !== type.constructor) {
      gaps.push(`type ${name} is a ${actual.constructor.name}, the contract has ${type.constructor.name}`);
      continue;
    }
    if (isScalarType(type) || isUnionType(type)) continue;
    if (isEnumType(type) && isEnumType(actual)) {
      for (const value of type.getValues()) if (!actual.getValue(value.name)) gaps.push(`enum ${name} lacks ${value.name}`);
      continue;
    }
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(actual) || isInterfaceType(actual))) {
      const fields = actual.getFields();
      for (const field of Object.values(type.getFields())) {
        const other = fields[field.name];
        if (!other) {
          gaps.push(`${name}.${field.name} is missing`);
          continue;
        }
        if (!compatible(other.type, field.type, 'output')) gaps.push(`${name}.${field.name} is ${other.type}, the contract has ${field.type}`);
        for (const arg of field.args) {
          const otherArg = other.args.find((a) => a.name === arg.name);
          if (!otherArg) gaps.push(`${name}.${field.name}(${arg.name}) is missing`);
          else if (!compatible(otherArg.type, arg.type, 'input')) gaps.push(`${name}.${field.name}(${arg.name}) is ${otherArg.type}, the contract has ${arg.type}`);
        }
        for (const otherArg of other.args) {
          if (!field.args.some((a) => a.name === otherArg.name) && otherArg.type.toString().endsWith('!') && otherArg.defaultValue === undefined) {
            gaps.push(`${name}.${field.name}(${otherArg.name}) is required but not in the contract`);
          }
        }
      }
      continue;
    }
    if (isInputObjectType(type) && isInputObjectType(actual)) {
      const fields = actual.getFields();
      for (const field of Object.values(type.getFields())) {
        const other = fields[field.name];
        if (!other) gaps.push(`input ${name}.${field.name} is missing`);
        else if (!compatible(other.type, field.type, 'input')) gaps.push(`input ${name}.${field.name} is ${other.type}, the contract has ${field.type}`);
      }
      for (const other of Object.values(fields)) {
        if (!type.getFields()[other.name] && other.type.toString().endsWith('!') && other.defaultValue === undefined) {
          gaps.push(`input ${name}.${other.name} is required but not in the contract`);
        }
      }
    }
  }
  return gaps;
}

describe('supergraph', () => {
  const composition = composeSupergraph();

  it('composes from every subgraph without errors', () => {
    expect(composition.supergraphSdl).toContain('join__Graph');
    for (const name of ['TENANTS', 'SELECTION', 'WORKFLOWS', 'ENGINE_LANGGRAPH', 'ENGINE_CREWAI', 'ENGINE_AUTOGEN', 'BILLING', 'KNOWLEDGE']) {
      expect(composition.supergraphSdl).toContain(`${name} @join__graph`);
    }
  });

  it('is checked in up to date (run `npm run compose` after changing a subgraph schema)', () => {
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(composition.supergraphSdl);
    expect(readFileSync(API_SCHEMA_FILE, 'utf8')).toBe(composition.apiSchemaSdl);
  });

  it('covers the public API contract: every type, field, argument and enum value', () => {
    const contractFile = existsSync(SHARED_CONTRACT) ? SHARED_CONTRACT : VENDORED_CONTRACT;
    const contract = buildSchema(readFileSync(contractFile, 'utf8'));
    const api = buildSchema(composition.apiSchemaSdl);
    expect(contractGaps(contract, api)).toEqual([]);
  });

  it('detects a gap when the schema lacks part of the contract', () => {
    const contract = buildSchema('type Query { workflow(id: ID!): Workflow } type Workflow { id: ID! status: Status! } enum Status { A B }');
    const lacking = buildSchema('type Query { workflow: Workflow } type Workflow { id: ID } enum Status { A }');
    expect(contractGaps(contract, lacking)).toEqual([
      'Query.workflow(id) is missing',
      'Workflow.id is ID, the contract has ID!',
      'Workflow.status is missing',
      'enum Status lacks B',
    ]);
  });
});
