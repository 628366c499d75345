/*
 * inet_ioctl: the ioctls of IP sockets: FIONREAD and SIOCOUTQ on a
 * connection, SIOCATMARK, FIONBIO, and the interface requests on the
 * loopback interface (SIOCGIFCONF, SIOCGIFINDEX, SIOCGIFNAME,
 * SIOCGIFFLAGS, SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFMTU). No request
 * that changes an interface: natively, as root, it would change the host.
 */
#include "inet.h"
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int c, s, v;
	connected(AF_INET, &c, &s);
	MUST(write(c, "twelve bytes", 12));
	usleep(20000);
	v = -1;
	SHOW("FIONREAD", ioctl(s, FIONREAD, &v));
	printf("  %d\n", v);
	v = -1;
	SHOW("SIOCINQ", ioctl(s, SIOCINQ, &v));
	printf("  %d\n", v);
	v = -1;
	SHOW("SIOCOUTQ", ioctl(c, SIOCOUTQ, &v));
	printf("  %d\n", v);
	SHOW("SIOCATMARK", ioctl(s, SIOCATMARK, &v));
	printf("  %d\n", v);
	SHOW("FIONREAD into a bad pointer", ioctl(s, FIONREAD, (int *)8));
	v = 1;
	SHOW("FIONBIO on", ioctl(s, FIONBIO, &v));
	char b[32];
	SHOW("read", read(s, b, sizeof b));
	SHOW("read, non-blocking", read(s, b, sizeof b));
	SHOW("an unknown ioctl", ioctl(s, 0x1234, &v));
	SHOW("TCGETS", ioctl(s, 0x5401, b));

	int l = socket(AF_INET, SOCK_STREAM, 0);
	MUST(listen(l, 1));
	SHOW("FIONREAD on a listener", ioctl(l, FIONREAD, &v));

	/* The loopback interface. */
	int d = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	SHOW("SIOCGIFINDEX lo", ioctl(d, SIOCGIFINDEX, &ifr));
	int idx = ifr.ifr_ifindex;
	printf("  index > 0: %d\n", idx > 0);
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_ifindex = idx;
	SHOW("SIOCGIFNAME", ioctl(d, SIOCGIFNAME, &ifr));
	printf("  %s\n", ifr.ifr_name);
	SHOW("SIOCGIFFLAGS", ioctl(d, SIOCGIFFLAGS, &ifr));
	printf("  up %d, loopback %d\n", !!(ifr.ifr_flags & IFF_UP), !!(ifr.ifr_flags & IFF_LOOPBACK));
	SHOW("SIOCGIFADDR", ioctl(d, SIOCGIFADDR, &ifr));
	printf("  %s\n", inet_ntoa(((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr));
	SHOW("SIOCGIFNETMASK", ioctl(d, SIOCGIFNETMASK, &ifr));
	printf("  %s\n", inet_ntoa(((struct sockaddr_in *)&ifr.ifr_netmask)->sin_addr));
	SHOW("SIOCGIFMTU", ioctl(d, SIOCGIFMTU, &ifr));
	printf("  %d\n", ifr.ifr_mtu);
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "no-such-if0");
	SHOW("SIOCGIFINDEX of a missing interface", ioctl(d, SIOCGIFINDEX, &ifr));
	memset(ifr.ifr_name, 'x', sizeof ifr.ifr_name); /* no NUL */
	SHOW("SIOCGIFFLAGS of an unterminated name", ioctl(d, SIOCGIFFLAGS, &ifr));
	SHOW("SIOCGIFINDEX, bad pointer", ioctl(d, SIOCGIFINDEX, (void *)8));

	/* SIOCGIFCONF: the size, then the list, then a list cut short. */
	struct ifconf ifc = {.ifc_len = 0, .ifc_buf = NULL};
	SHOW("SIOCGIFCONF, no buffer", ioctl(d, SIOCGIFCONF, &ifc));
	int need = ifc.ifc_len;
	printf("  length is a multiple of %d: %d\n", (int)sizeof(struct ifreq), need > 0 && need % sizeof(struct ifreq) == 0);
	struct ifreq list[64];
	ifc.ifc_len = sizeof list;
	ifc.ifc_req = list;
	SHOW("SIOCGIFCONF", ioctl(d, SIOCGIFCONF, &ifc));
	printf("  same length %d\n", ifc.ifc_len == need);
	for (int i = 0; i < ifc.ifc_len / (int)sizeof(struct ifreq); i++)
		if (strcmp(list[i].ifr_name, "lo") == 0)
			printf("  lo: %s\n", inet_ntoa(((struct sockaddr_in *)&list[i].ifr_addr)->sin_addr));
	ifc.ifc_len = sizeof(struct ifreq) + 3;
	SHOW("SIOCGIFCONF, room for one", ioctl(d, SIOCGIFCONF, &ifc));
	printf("  %d\n", ifc.ifc_len);
	ifc.ifc_len = -5;
	SHOW("SIOCGIFCONF, negative length", ioctl(d, SIOCGIFCONF, &ifc));
	printf("  %d\n", ifc.ifc_len);
	ifc.ifc_len = sizeof list;
	ifc.ifc_buf = (void *)8;
	SHOW("SIOCGIFCONF, bad buffer", ioctl(d, SIOCGIFCONF, &ifc));
	return 0;
}
