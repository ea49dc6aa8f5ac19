import { useState, type FormEvent } from "react";
import { ErrorDisplay } from "../common/ErrorDisplay";
import type { AdminAuth } from "./useAdminAuth";

export interface LoginPageProps {
  auth: Pick<AdminAuth, "state" | "login" | "loggingIn">;
}

export function LoginPage({ auth }: LoginPageProps) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const error = auth.state.status === "signedOut" ? auth.state.error : undefined;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!auth.loggingIn) void auth.login(email, password);
  };

  return (
    <main className="page admin-login">
      <h1>crowdsketch admin</h1>
      <form className="admin-login__form" onSubmit={submit}>
        <label className="admin-field">
          <span>Email</span>
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </label>
        <label className="admin-field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <ErrorDisplay error={error} title={error?.status === 401 ? "Log-in failed." : undefined} />
        <button type="submit" className="button button--primary" disabled={auth.loggingIn} aria-busy={auth.loggingIn}>
          Log in
        </button>
      </form>
    </main>
  );
}
