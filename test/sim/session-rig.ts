/**
 * What the whole-session simulator tests share: a ScriptedAcs, a file server,
 * and one-device fleets pointed at them, all closed after the suite. Call
 * sessionRig() inside a describe(): it registers that suite's hooks.
 */
import type { RpcOptions } from '../../src/sim/cpe';
import type { SimDevice } from '../../src/sim/device';
import { Fleet } from '../../src/sim/fleet';
import type { BaseModel } from '../../src/sim/model';
import { fileServer, type FileServer } from '../helpers/file-server';
import { ScriptedAcs } from './scripted-acs';

export interface OneDevice {
  fleet: Fleet;
  device: SimDevice;
  serial: string;
}

export interface SessionRig {
  readonly acs: ScriptedAcs;
  /** The file server (from the suite's before hook on). */
  readonly files: FileServer;
  /** A fleet of one device of `model`, with a serial number no other device of the suite has. */
  oneDevice(model: BaseModel, rpcOptions?: RpcOptions): Promise<OneDevice>;
}

export function sessionRig(prefix: string, files: Record<string, Buffer> = {}): SessionRig {
  const fleets: Fleet[] = [];
  const acs = new ScriptedAcs();
  let server: FileServer | undefined;
  let acsUrl = '';
  let serials = 0;
  const rig: SessionRig = {
    acs,
    get files(): FileServer {
      if (!server) throw new Error('sessionRig: the file server starts in the suite\'s before hook');
      return server;
    },
    async oneDevice(model, rpcOptions = {}) {
      const serialBase = `${prefix}${serials++}-`;
      const fleet = await Fleet.create({ acsUrl, model, devices: 1, serialBase, rpcOptions });
      fleets.push(fleet);
      return { fleet, device: fleet.devices[0], serial: `${serialBase}000000` };
    },
  };
  before(async () => {
    acsUrl = await acs.start();
    server = await fileServer(files);
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await acs.close();
    await server?.close();
  });
  return rig;
}
