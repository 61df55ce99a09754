import { CreateProjectsAndApiKeys1764000000000 } from './1764000000000-create-projects-and-api-keys';
import { CreateConnectedAccounts1764100000000 } from './1764100000000-create-connected-accounts';
import { AddConnectedAccountRefreshLease1764200000000 } from './1764200000000-add-connected-account-refresh-lease';
import { CreateFiles1764300000000 } from './1764300000000-create-files';
import { SplitFileBytesIntoChunks1764400000000 } from './1764400000000-split-file-bytes-into-chunks';

/** Every migration, oldest first. Never edit one that has been committed: add a new one. */
export const MIGRATIONS = [
  CreateProjectsAndApiKeys1764000000000,
  CreateConnectedAccounts1764100000000,
  AddConnectedAccountRefreshLease1764200000000,
  CreateFiles1764300000000,
  SplitFileBytesIntoChunks1764400000000,
];
