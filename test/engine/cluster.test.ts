/**
 * The engine cluster suites (cluster-suites.ts: two front ends, two workers,
 * kill -9 of either) on the shared single Redis; cluster-redis-cluster.test.ts
 * runs them on a Redis Cluster. Needs a current dist/ (`npm run build`).
 */
import Redis from 'ioredis';
import { TEST_REDIS_URL } from '../helpers/acs';
import { clusterSuites } from './cluster-suites';

clusterSuites({ name: 'redis', url: () => TEST_REDIS_URL, connect: () => new Redis(TEST_REDIS_URL) });
