import { CreateProjectsAndApiKeys1764000000000 } from './1764000000000-create-projects-and-api-keys';

/** Every migration, oldest first. Never edit one that has been committed: add a new one. */
export const MIGRATIONS = [CreateProjectsAndApiKeys1764000000000];
