import { createApp } from 'vue';
import 'video-consult/call';
import 'video-consult/files';
import Consultation from './Consultation.vue';

createApp(Consultation).mount('#app');
