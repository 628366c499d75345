package syscalls

// Numbers added after the headers names.go was generated from (Linux 6.2
// to 6.17).
func init() {
	for nr, name := range map[uintptr]string{
		451: "cachestat",
		452: "fchmodat2",
		453: "map_shadow_stack",
		454: "futex_wake",
		455: "futex_wait",
		456: "futex_requeue",
		457: "statmount",
		458: "listmount",
		459: "lsm_get_self_attr",
		460: "lsm_set_self_attr",
		461: "lsm_list_modules",
		462: "mseal",
		463: "setxattrat",
		464: "getxattrat",
		465: "listxattrat",
		466: "removexattrat",
		467: "open_tree_attr",
		468: "file_getattr",
		469: "file_setattr",
	} {
		names[nr] = name
	}
}

// Name returns the name of system call nr, or "syscall_NR".
func Name(nr uintptr) string {
	if n, ok := names[nr]; ok {
		return n
	}
	return "syscall_" + itoa(int64(nr))
}

func itoa(v int64) string {
	if v < 0 {
		return "-" + itoa(-v)
	}
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoa(v/10) + string(rune('0'+v%10))
}
