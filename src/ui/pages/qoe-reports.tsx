/**
 * Fleet reports (GET /qoe/reports/<kind>): bandwidth by product class, tag
 * or software version; top talkers; percentiles of a series; lines with
 * degrading error counters; Wi-Fi channel congestion. Each shown as a table
 * with a CSV download of the same query (?format=csv). The kind is in the
 * address (?kind=), so a report can be bookmarked.
 */
import { useState } from 'preact/hooks';
import type { Report, ReportKind } from '../../qoe/reports/types';
import { api } from '../lib/api';
import { navigate, type Route } from '../lib/router';
import { messageOf } from '../lib/use-load';
import { QoeTabs } from '../components/qoe-tabs';
import type { Problem } from '../components/qoe-field';
import { NEW_REPORT_FORM, problemOf, queryOf, ReportFormView, type ReportForm } from '../components/qoe-report-form';
import { ReportFacts, ReportTable } from '../components/qoe-report-table';
import '../qoe.css';

const KINDS: { kind: ReportKind; label: string; about: string }[] = [
  { kind: 'bandwidth', label: 'Bandwidth by group', about: 'Bytes each way and the devices\' mean, median and 95th percentile throughput, per product class, software version or tag.' },
  { kind: 'top-talkers', label: 'Top talkers', about: 'The devices that moved the most bytes.' },
  { kind: 'degrading', label: 'Degrading lines', about: 'Devices whose error counters rose: the last window\'s mean rate against the one before it.' },
  { kind: 'wifi-channels', label: 'Wi-Fi channels', about: 'Radios and clients per band and channel, with the mean noise: where channels are crowded.' },
  { kind: 'percentiles', label: 'Percentiles', about: 'How one series is spread across the fleet: each device\'s mean (or minimum, maximum) ranked.' },
];

function KindPicker(props: { kind: ReportKind }) {
  return (
    <div class="segmented" role="group" aria-label="Report">
      {KINDS.map((k) => (
        <button key={k.kind} type="button" aria-pressed={props.kind === k.kind} onClick={() => navigate(`/qoe/reports?kind=${k.kind}`)}>{k.label}</button>
      ))}
    </div>
  );
}

interface Ran {
  report: Report;
  query: string;
}

function Result(props: { kind: ReportKind; ran: Ran; label: string }) {
  const csv = `/qoe/reports/${props.kind}?${props.ran.query}&format=csv`;
  return (
    <section aria-labelledby="report-result-title">
      <h2 id="report-result-title">{props.label}</h2>
      <ReportFacts report={props.ran.report} />
      <p><a href={csv} download={`${props.kind}.csv`}>Download as CSV</a> · <a href={`/qoe/reports/${props.kind}?${props.ran.query}`}>as JSON</a></p>
      <ReportTable report={props.ran.report} label={props.label} />
    </section>
  );
}

/** One kind's form and its last result; a new kind starts afresh (its key). */
function KindReport(props: { kind: ReportKind; label: string; about: string }) {
  const [f, setF] = useState<ReportForm>(NEW_REPORT_FORM);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [ran, setRan] = useState<Ran | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setProblem(null);
    setBusy(true);
    const query = queryOf(props.kind, f, Date.now()).toString();
    try {
      setRan({ report: (await api<Report>('GET', `/qoe/reports/${props.kind}?${query}`)).data, query });
    } catch (err) {
      setRan(null);
      setProblem(problemOf(messageOf(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <p class="hint">{props.about}</p>
      <ReportFormView kind={props.kind} f={f} set={(c) => setF((old) => ({ ...old, ...c }))} problem={problem} busy={busy} onRun={() => void run()} />
      {ran && <Result kind={props.kind} ran={ran} label={props.label} />}
    </>
  );
}

export function QoeReports(props: { route: Route }) {
  const asked = props.route.query.get('kind');
  const current = KINDS.find((k) => k.kind === asked) ?? KINDS[0];
  return (
    <article aria-labelledby="reports-title" class="qoe-page qoe-reports">
      <h1 id="reports-title">Fleet reports</h1>
      <QoeTabs current="reports" />
      <KindPicker kind={current.kind} />
      <KindReport key={current.kind} kind={current.kind} label={current.label} about={current.about} />
    </article>
  );
}
