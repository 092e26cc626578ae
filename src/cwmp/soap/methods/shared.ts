/**
 * The method-codec shape and the two patterns most RPCs reduce to: a method
 * is a named element whose children a spec describes (see ../codec.ts).
 * Many RPCs take no arguments (GetRPCMethods, FactoryReset, every empty
 * response) or only a CommandKey (Reboot, CancelTransfer).
 */
import { fields, str, type Ctx, type Spec } from '../codec';
import type { CwmpMessage } from '../types';
import type { XmlElement } from '../xml-tree';

export interface MethodCodec<M extends CwmpMessage> {
  readonly method: M['method'];
  /** Reads the RPC element's children (the element itself was matched by name). */
  readonly decode: (el: XmlElement, ctx: Ctx) => M;
  /** Writes the whole Body entry. */
  readonly encode: (message: M) => string;
}

export type Arguments<M extends CwmpMessage> = Omit<M, 'method'>;

/** An RPC whose arguments are the spec's fields, in order, inside <cwmp:Method>. */
export function rpc<M extends CwmpMessage>(method: M['method'], spec: Spec<Arguments<M>>): MethodCodec<M> {
  const args = fields(spec);
  const tag = `cwmp:${method}`;
  return {
    method,
    decode: (el, ctx) => ({ method, ...args.read(el, ctx) }) as M,
    encode: (message) => {
      const inner = args.write(message as Arguments<M>);
      return inner ? `<${tag}>${inner}</${tag}>` : `<${tag}/>`;
    },
  };
}

/** An RPC with no arguments. */
export function noArguments<M extends CwmpMessage>(method: M['method']): MethodCodec<M> {
  return rpc<M>(method, {} as Spec<Arguments<M>>);
}

/** The arguments of an RPC that carries only a CommandKey. */
export const commandKeyOnly = { CommandKey: str } as const;
