export { coreCookieFile } from './cookie.js';
