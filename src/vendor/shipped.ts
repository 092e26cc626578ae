/**
 * The vendor profiles the ACS ships, one per sample device model and captured
 * CPE (../shared/samples, SOURCES.md). Each setting is there because the
 * sample shows it; a setting the samples say nothing about is left out (the
 * engine's default). Operator profiles (VENDOR_PROFILES_DIR) come first and
 * replace a shipped one of the same name.
 *
 * Root listing: every sample device shows one root only (the six dumps:
 * InternetGatewayDevice or Device, never both; the captured listings and
 * Informs likewise), so for them the root's GetParameterNames, made to learn
 * that the other root is absent, is skipped.
 *
 * Aliases: none shipped. Where a sample model has an X_ parameter named like
 * a standard one, either the standard one is there too (EG8145V5
 * DeviceInfo.X_HW_SerialNumber and SerialNumber; XX230v X_TP_Services and
 * Services) or the values show a different meaning (BM632w
 * WLANConfiguration.X_HUAWEI_PowerValue is 12, in dBm; the standard
 * TransmitPower is a percentage, 100 next to X_HW_PowerValue 23 on the
 * EG8145V5). Aliases are the operator's, per fleet.
 */
import { compile } from '../presets/expression';
import type { VendorProfile, VendorSettings } from './types';

interface ShippedSource {
  name: string;
  precondition: string;
  settings: VendorSettings;
}

const SOURCES: readonly ShippedSource[] = [
  // device-models/data_model_202BC1-BM632w-*.csv: TR-098 only.
  { name: 'huawei-bm632w', precondition: 'DeviceID.ProductClass = "BM632w"', settings: { skipRootListing: true } },
  // device-models/device-00259E-EG8145V5-*.csv: TR-098 only.
  { name: 'huawei-eg8145v5', precondition: 'DeviceID.ProductClass = "EG8145V5"', settings: { skipRootListing: true } },
  // device-models/device-1C61B4-XX230v-*.csv and -EX220-*.csv: both ProductClass "Device2", TR-181 only.
  { name: 'tp-link-device2', precondition: 'DeviceID.Manufacturer = "TP-Link" AND DeviceID.ProductClass = "Device2"', settings: { skipRootListing: true } },
  // device-models/device-9075BC-G-1425G-A-*.csv (Manufacturer "ALCL"): TR-098 only.
  { name: 'nokia-g-1425g-a', precondition: 'DeviceID.ProductClass = "G-1425G-A"', settings: { skipRootListing: true } },
  // device-models/device-C0B101-ZXHN H199A-*.csv: TR-098 only.
  { name: 'zte-zxhn-h199a', precondition: 'DeviceID.ProductClass = "ZXHN H199A"', settings: { skipRootListing: true } },
  {
    // captured-real/mikrotik-*.Inform.*.http: Device.RootDataModelVersion 2.11 (TR-181 only); its boolean is written '0';
    // CurrentTime 2018-04-01T19:45:02-04:00 (whole seconds, with a zone).
    name: 'mikrotik-routeros',
    precondition: 'DeviceID.Manufacturer = "MikroTik"',
    settings: { skipRootListing: true, booleanLiteral: '1/0', dateTimeFormat: 'seconds' },
  },
  {
    // captured-real/thomson-speedtouch-perl-cwmp: refusals are a bare 9001 "Request Denied" (*.Fault.xml), never a 9003
    // with per-parameter 9008 details, so a write must be known writable first; its listings say so (Writable 0/1);
    // dateTimes in whole seconds with "Z" (CurrentTime 1970-01-01T00:01:31Z); TR-098 only in every listing.
    name: 'thomson-speedtouch',
    precondition: 'DeviceID.Manufacturer = "THOMSON"',
    settings: { skipRootListing: true, writabilityFrom: 'listing', dateTimeFormat: 'seconds' },
  },
  {
    // captured-real/zte-F600W*: dateTimes without a zone (VendorConfigFile.1.Date 2018-05-15T10:36:42, CurrentTime
    // 1970-01-02T00:08:34); the whole-tree listing names InternetGatewayDevice only.
    name: 'zte-f600w',
    precondition: 'DeviceID.ProductClass = "F600W"',
    settings: { skipRootListing: true, dateTimeFormat: 'seconds-no-zone' },
  },
  {
    // captured-real/cisco-femtocell-CJJ005B00009.*: 33 of its 34 booleans written 1/0 (one "true"); ManagementServer and Time dateTimes
    // without a zone (PeriodicInformTime 0001-01-01T00:00:00); TR-181 only. Writability stays learnt from writes: its
    // listing is not to be trusted alone (TraceRouteDiagnostics.MaxHopCount reports Writable 30).
    name: 'cisco-femtocell',
    precondition: 'DeviceID.ProductClass = "CJJ005B00009"',
    settings: { skipRootListing: true, booleanLiteral: '1/0', dateTimeFormat: 'seconds-no-zone' },
  },
];

/** The shipped profiles, compiled. Throws at load on a precondition that does not compile (a bug caught by the tests). */
export function shippedProfiles(): VendorProfile[] {
  return SOURCES.map((s) => {
    const compiled = compile(s.precondition);
    if (!compiled.ok) throw new Error(`shipped vendor profile ${s.name}: ${compiled.message}`);
    return { name: s.name, preconditionSource: s.precondition, precondition: compiled.expr, settings: s.settings, source: 'shipped' };
  });
}
