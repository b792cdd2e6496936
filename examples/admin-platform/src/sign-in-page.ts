/** The sign-in page: a password, then a TOTP or emailed code when the account asks for one. */
export const SIGN_IN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Contact center admin — sign in</title>
<style>body{font:16px system-ui;max-width:22rem;margin:4rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}</style>
</head><body>
<h1>Sign in</h1>
<form id="f">
  <label>Username <input name="username" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <label id="codeLabel" hidden>Code <input name="code" inputmode="numeric" autocomplete="one-time-code"></label>
  <button>Sign in</button>
  <p id="msg" role="status"></p>
</form>
<script>
const f = document.getElementById('f'), msg = document.getElementById('msg'), codeLabel = document.getElementById('codeLabel');
f.addEventListener('submit', async (e) => {
  e.preventDefault();
  const body = Object.fromEntries(new FormData(f));
  if (codeLabel.hidden) delete body.code;
  const res = await fetch('/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await res.json();
  if (res.ok) { msg.textContent = 'Signed in as ' + answer.user + '. The admin API is at /api/state.'; return; }
  if (answer.needs) { codeLabel.hidden = false; msg.textContent = answer.needs === 'totp' ? 'Enter the code of your authenticator app.' : 'Enter the code we emailed you (see /dev/outbox).'; return; }
  msg.textContent = 'Sign-in failed: ' + answer.error;
});
</script>
</body></html>
`;
