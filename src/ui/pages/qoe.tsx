/**
 * Quality of experience for the fleet: the alerts open now (each device a
 * link to its page and charts), the alert rules that raise them, and the
 * collection profiles that say what is collected. The fleet reports are
 * their own page (qoe-reports.tsx), linked from here.
 */
import { useState } from 'preact/hooks';
import type { AlertRule } from '../../qoe/alerts/types';
import { api, type Session } from '../lib/api';
import { useLoad } from '../lib/use-load';
import { OpenAlerts } from '../components/qoe-alerts';
import { QoeTabs } from '../components/qoe-tabs';
import { AlertRules } from '../components/qoe-rules';
import { CollectionProfiles } from '../components/qoe-profiles';
import type { ListedProfile } from '../components/qoe-profile-form';
import '../qoe.css';

export function Qoe(props: { session: Session }) {
  const [version, setVersion] = useState(0);
  const rules = useLoad(async () => (await api<AlertRule[]>('GET', '/qoe/alert-rules')).data, [version]);
  const profiles = useLoad(async () => (await api<ListedProfile[]>('GET', '/qoe/profiles')).data, [version]);
  const changed = () => setVersion((v) => v + 1);
  const canWrite = props.session.scope !== 'read';
  return (
    <article aria-labelledby="qoe-title" class="qoe-page">
      <h1 id="qoe-title">Quality of experience</h1>
      <QoeTabs current="alerts" />
      <section aria-labelledby="alerts-title">
        <h2 id="alerts-title">Open alerts</h2>
        <OpenAlerts rules={rules.data} version={version} />
      </section>
      <section aria-labelledby="rules-title">
        <h2 id="rules-title">Alert rules</h2>
        <p class="hint">Evaluated by the workers every minute or so, for the devices with new samples; a rule raises one alert per device while it holds.</p>
        <AlertRules rules={rules.data} error={rules.error} profiles={(profiles.data ?? []).map((p) => p.name)} canWrite={canWrite} onChanged={changed} />
      </section>
      <section aria-labelledby="profiles-title">
        <h2 id="profiles-title">Collection profiles</h2>
        <p class="hint">What is collected and for how long. Devices are collected by a preset running the qoe-collect provision (reads in their periodic sessions) or qoe-bulkdata (TR-232 bulk data reports) with a profile's name.</p>
        <CollectionProfiles profiles={profiles.data} error={profiles.error} canWrite={canWrite} onChanged={changed} />
      </section>
    </article>
  );
}
