import { MemoryRealtimeStore } from '../../../lib/realtime/memory-store';
import { realtimeStoreContract } from '../../support/realtime-store-contract';

realtimeStoreContract('MemoryRealtimeStore', () => new MemoryRealtimeStore(), { sharesAcrossInstances: false });
