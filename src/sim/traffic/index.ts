/**
 * Simulated traffic: a clock that can run fast, and counters that follow it.
 */
export { SimClock, type SimClockOptions } from './clock';
export { TrafficModel, DeviceTraffic, type TrafficOptions } from './counters';
export { classify, unitHash, type CounterKind, type CounterSpec, type GaugeKind } from './classify';
export { gaugeValue, DEFAULT_MEMORY_KIB } from './gauges';
export { loadAt, loadIntegral } from './day-shape';
