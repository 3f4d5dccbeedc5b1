import { MemoryStore } from '../../../lib/state/memory-store.js';
import { describeStateStoreContract } from '../../contract/state-store.contract.js';

describeStateStoreContract('memory', async (now) => new MemoryStore({ now }));
