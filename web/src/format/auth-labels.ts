/** Words for the authentication log's codes; an unknown code is shown as it is. */

const TYPE_LABELS: Record<string, string> = {
  login_success: 'Signed in',
  login_failure: 'Failed',
  logout: 'Signed out',
  session_expired: 'Session expired',
  session_revoked: 'Session revoked',
};

const METHOD_LABELS: Record<string, string> = {
  password: 'Password',
  password_totp: 'Password + TOTP',
  password_email_2fa: 'Password + email code',
};

const REASON_LABELS: Record<string, string> = {
  bad_password: 'wrong password',
  unknown_user: 'unknown user',
  bad_totp: 'wrong TOTP code',
  bad_email_code: 'wrong email code',
  locked: 'account locked',
  disabled: 'account disabled',
};

const END_LABELS: Record<string, string> = { logout: 'Signed out', expired: 'Expired', revoked: 'Revoked' };

export const authTypeLabel = (t: string) => TYPE_LABELS[t] ?? t;
export const methodLabel = (m: string | null | undefined) => (m ? (METHOD_LABELS[m] ?? m) : '—');
export const reasonLabel = (r: string) => REASON_LABELS[r] ?? r;
export const endReasonLabel = (r: string | null) => (r ? (END_LABELS[r] ?? r) : '');
export const alertKindLabel = (k: string) =>
  k === 'brute_force' ? 'Brute force' : k === 'password_spraying' ? 'Password spraying' : k;
