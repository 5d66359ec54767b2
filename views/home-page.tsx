import { Layout } from "./layout.tsx";

export interface HomePageProps {
  version: string;
}

/** The start page. The live import dialog and the jobs and traces pages build on this. */
export function HomePage({ version }: HomePageProps): string {
  return (
    <Layout title="traceport">
      <h1>Import traces</h1>
      <p>
        traceport <span safe>{version}</span> imports OTLP JSON and OTLP JSON Lines files and reports progress live.
      </p>
      <p>Upload a file through the API:</p>
      <pre>curl -F file=@traces.jsonl http://localhost:8787/api/imports</pre>
      <p class="muted">
        Then follow the job with <code>curl -N http://localhost:8787/api/jobs/&lt;id&gt;/stream</code>.
      </p>
    </Layout>
  ) as string;
}
