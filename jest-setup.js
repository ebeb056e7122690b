// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// i18next (inside @grafana/ui) prints a sponsor notice on its first init; it is not a test result.
process.env.I18NEXT_NO_SUPPORT_NOTICE = 'true';
