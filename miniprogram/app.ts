// The app: initialise the transport, log in at launch, and ask for privacy consent when WeChat needs it.
import { config } from './config';
import { sessionStore } from './stores/session';

type PrivacyResolve = (result: { event: 'agree' | 'disagree'; buttonId?: string }) => void;
interface PrivacyPopup {
  open(resolve: PrivacyResolve): void;
}

App({
  onLaunch() {
    if (config.transport === 'cloud') wx.cloud.init({ env: config.cloudEnv, traceUser: true });
    // WeChat asks the app to show its own consent view before a privacy-sensitive API (e.g. getLocation).
    if (wx.onNeedPrivacyAuthorization) {
      wx.onNeedPrivacyAuthorization((listenerArg) => {
        // The typings call the listener's argument a result; it is WeChat's resolve function.
        const resolve = listenerArg as unknown as PrivacyResolve;
        const page = getCurrentPages().slice(-1)[0];
        const popup = page?.selectComponent('#privacy') as unknown as PrivacyPopup | undefined;
        if (popup) popup.open(resolve);
        else resolve({ event: 'disagree' });
      });
    }
    void sessionStore.start();
  },
});
