/** @jsxImportSource @kitajs/html */
import { Layout } from "./layout.tsx";

/** An error as a fragment: what htmx swaps in where the answer would have gone. */
export function ErrorNote({ message, details }: { message: string; details?: string | null }): string {
  return (
    <div class="error-note" role="alert">
      <p class="outcome bad" safe>
        {message}
      </p>
      {details ? <p class="small" safe>{details}</p> : ""}
    </div>
  ) as string;
}

/** An error or notice as a whole page. */
export function MessagePage({ title, message, status, back }: { title: string; message?: string | null; status: number; back?: string }): string {
  return (
    <Layout title={title}>
      <h1 safe>{title}</h1>
      {message ? <p safe>{message}</p> : ""}
      <p class="muted small">
        HTTP {status}
        {back ? (
          <>
            {" · "}
            <a href={back}>Go back</a>
          </>
        ) : (
          ""
        )}
      </p>
    </Layout>
  ) as string;
}
