import { render } from 'preact';
import { App } from './app';
import './i18n';
import { tokenFromLink } from './session';
import './styles.css';

tokenFromLink();
render(<App />, document.getElementById('app') as HTMLElement);
