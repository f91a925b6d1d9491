import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { signIn } from '../session';

/** Paste a token; a sign-in link (`/#token=…`) signs in before this page shows. */
export function SignInPage({ refused, onSignedIn }: { refused: boolean; onSignedIn: () => void }) {
  const [value, setValue] = useState('');
  return (
    <section class="card narrow">
      <h1>{t('signIn.title')}</h1>
      <p>{t('signIn.intro')}</p>
      {refused && (
        <p role="alert" class="problem">
          {t('signIn.bad')}
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          signIn(value);
          onSignedIn();
        }}
      >
        <label for="token">{t('signIn.token')}</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="primary" disabled={value.trim() === ''}>
          {t('signIn.submit')}
        </button>
      </form>
      <p class="hint">{t('signIn.session')}</p>
      <p>
        <a href="#/verify">{t('statement.verifyTitle')}</a>
      </p>
    </section>
  );
}
