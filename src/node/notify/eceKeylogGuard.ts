// Imported before `web-push`: http_ece (the RFC 8188 code web-push encrypts with) prints every derived key
// and secret to stderr when ECE_KEYLOG=1 is set at load time. Security decision: Walkie never logs keys, so
// the switch is removed from this process's environment before http_ece can read it.
delete process.env.ECE_KEYLOG;

export const eceKeylogOff = true;
