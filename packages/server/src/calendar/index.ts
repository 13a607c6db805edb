export {
  CALENDAR_KEY_PREFIX,
  type CalendarHandler,
  type CalendarRoutesOptions,
  calendarRoutes,
} from './routes.js';
