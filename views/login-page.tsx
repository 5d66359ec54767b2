/** @jsxImportSource @kitajs/html */
import { Layout } from "./layout.tsx";

/** The login form: the API token, once, for a session cookie. */
export function LoginPage({ next, error }: { next: string; error?: string }): string {
  return (
    <Layout title="Log in">
      <h1>Log in</h1>
      <form method="post" action="/login" class="login-form">
        <input type="hidden" name="next" value={next} />
        <div class="field">
          <label for="login-token">API token</label>
          <input id="login-token" name="token" type="password" autocomplete="current-password" required autofocus aria-describedby="login-help" />
          <p class="help" id="login-help">
            The token this server was started with (TRACEPORT_TOKEN). This browser stays logged in for 7 days.
          </p>
        </div>
        {error ? (
          <p class="outcome bad" role="alert" safe>
            {error}
          </p>
        ) : (
          ""
        )}
        <button type="submit" class="primary">
          Log in
        </button>
      </form>
    </Layout>
  ) as string;
}

export function LogoutPage(): string {
  return (
    <Layout title="Log out">
      <h1>Log out</h1>
      <form method="post" action="/logout">
        <button type="submit" class="secondary">
          Log out of traceport
        </button>
      </form>
    </Layout>
  ) as string;
}
