/**
 * The order index of webhook_deliveries led by status: (status, webhook_id,
 * device, seq) instead of (webhook_id, device, status, seq). The worker's
 * order check (a subscription and device's pending deliveries before a seq)
 * reads the same single range in either; the rescue of pending deliveries
 * ("status = 'pending' AND time < ?") could use neither, and read the whole
 * table by seq every minute, delivered rows and all. Led by status it reads
 * the pending entries only.
 *
 * Self-contained but for ./dialect (frozen): a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isSqlite, runAll } from './dialect';

function dropIndex(queryRunner: QueryRunner, name: string): string {
  return isSqlite(queryRunner) ? `DROP INDEX ${name}` : `DROP INDEX ${name} ON webhook_deliveries`;
}

export class WebhookDeliveryIndexes1766400000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'WebhookDeliveryIndexes1766400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runAll(queryRunner, [
      'CREATE INDEX ix_webhook_deliveries_pending ON webhook_deliveries (status, webhook_id, device, seq)',
      dropIndex(queryRunner, 'ix_webhook_deliveries_order'),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runAll(queryRunner, [
      'CREATE INDEX ix_webhook_deliveries_order ON webhook_deliveries (webhook_id, device, status, seq)',
      dropIndex(queryRunner, 'ix_webhook_deliveries_pending'),
    ]);
  }
}
