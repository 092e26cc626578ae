/** The QoE pages' own navigation: alerts, rules and profiles; fleet reports. */
import { Link } from './link';

const TABS = [
  { key: 'alerts', to: '/qoe', label: 'Alerts, rules and profiles' },
  { key: 'reports', to: '/qoe/reports', label: 'Fleet reports' },
] as const;

export function QoeTabs(props: { current: (typeof TABS)[number]['key'] }) {
  return (
    <nav class="qoe-tabs" aria-label="Quality of experience">
      {TABS.map((t) => (t.key === props.current ? <strong key={t.key} aria-current="page">{t.label}</strong> : <Link key={t.key} to={t.to}>{t.label}</Link>))}
    </nav>
  );
}
