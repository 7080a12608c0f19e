/*
 * A contract double of vmcompute.dll (and the few virtdisk, kernel32, advapi32 and ole32 functions the HCS layer
 * store calls), for running the P/Invoke layer on any OS. Same C prototypes as the Windows exports, written with
 * fixed-size types: strings are uint16_t* (UTF-16, never wchar_t), HRESULTs int32_t, ULONG uint32_t, SIZE_T
 * uintptr_t, BOOL int32_t. Every call is appended to a text log (UTF-8, one line per call) that tests read with
 * double_get_log(); results are scripted with double_set_result() and friends. Build with -DDOUBLE_OMIT_GRANTVMACCESS
 * for a variant that lacks one export.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPORT __attribute__((visibility("default")))

typedef struct { uint32_t Data1; uint16_t Data2, Data3; uint8_t Data4[8]; } GUID;
typedef struct { int32_t Flavour; const uint16_t *HomeDir; } DriverInfo;
typedef struct { GUID LayerId; uint32_t Flags; const uint16_t *Path; } WC_LAYER_DESCRIPTOR;
typedef struct { uint32_t DeviceId; GUID VendorId; } VIRTUAL_STORAGE_TYPE;
typedef struct { uint32_t Version; int32_t GetInfoOnly; int32_t ReadOnly; GUID ResiliencyGuid; } OPEN_VIRTUAL_DISK_PARAMETERS;
typedef struct { uint32_t LowPart; int32_t HighPart; } LUID;
typedef struct { uint32_t PrivilegeCount; LUID Luid; uint32_t Attributes; } TOKEN_PRIVILEGES1;

/* ---- state ------------------------------------------------------------------------------------------------- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_text;
static size_t log_len, log_cap;

#define MAX_SCRIPT 64
static struct { char name[64]; int64_t value; int has_value; int32_t err; } script[MAX_SCRIPT];
static int script_count;

static uint16_t mount_path[1024];
static int mount_path_len = -1; /* -1: report length 0 */
static uint16_t base_images[4096];
static int base_images_null = 1;
static void *last_alloc;
static int free_count, alloc_count;
static GUID fixed_guid;
static int use_fixed_guid;
static int64_t partition_size, total_bytes;
static uint64_t missing_privileges; /* bit n set: LUID n is not held */
static int in_prepare, max_in_prepare;

/* ---- logging ----------------------------------------------------------------------------------------------- */

static void append(const char *s, size_t n)
{
    if (log_len + n + 1 > log_cap) {
        log_cap = (log_len + n + 1) * 2;
        log_text = realloc(log_text, log_cap);
    }
    memcpy(log_text + log_len, s, n);
    log_len += n;
    log_text[log_len] = 0;
}

static void appendf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    append(buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void append_utf8(uint32_t cp)
{
    char b[4];
    if (cp < 0x80) { b[0] = (char)cp; append(b, 1); }
    else if (cp < 0x800) { b[0] = (char)(0xC0 | cp >> 6); b[1] = (char)(0x80 | (cp & 0x3F)); append(b, 2); }
    else if (cp < 0x10000) { b[0] = (char)(0xE0 | cp >> 12); b[1] = (char)(0x80 | (cp >> 6 & 0x3F)); b[2] = (char)(0x80 | (cp & 0x3F)); append(b, 3); }
    else { b[0] = (char)(0xF0 | cp >> 18); b[1] = (char)(0x80 | (cp >> 12 & 0x3F)); b[2] = (char)(0x80 | (cp >> 6 & 0x3F)); b[3] = (char)(0x80 | (cp & 0x3F)); append(b, 4); }
}

/* A UTF-16 string as "text" (lone surrogates as \u{XXXX}), or NULL. */
static void append_str(const uint16_t *s)
{
    if (!s) { append("NULL", 4); return; }
    append("\"", 1);
    for (size_t i = 0; s[i]; i++) {
        uint32_t c = s[i];
        if (c >= 0xD800 && c < 0xDC00 && s[i + 1] >= 0xDC00 && s[i + 1] < 0xE000) {
            append_utf8(0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00));
            i++;
        } else if (c >= 0xD800 && c < 0xE000) {
            appendf("\\u{%04X}", c);
        } else {
            append_utf8(c);
        }
    }
    append("\"", 1);
}

static void append_guid(const GUID *g)
{
    appendf("%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", g->Data1, g->Data2, g->Data3, g->Data4[0], g->Data4[1],
            g->Data4[2], g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
}

static void append_info(const DriverInfo *info)
{
    if (!info) { append(" info=NULL", 10); return; }
    appendf(" info={%d,", info->Flavour);
    append_str(info->HomeDir);
    append("}", 1);
}

static void append_layers(const WC_LAYER_DESCRIPTOR *layers, uint32_t count)
{
    if (!layers) { appendf(" layers=NULL count=%u", count); return; }
    append(" layers=[", 9);
    for (uint32_t i = 0; i < count; i++) {
        append(i ? ",{id=" : "{id=", i ? 5 : 4);
        append_guid(&layers[i].LayerId);
        appendf(",flags=0x%x,path=", layers[i].Flags);
        append_str(layers[i].Path);
        append("}", 1);
    }
    appendf("] count=%u", count);
}

static void begin(const char *name) { pthread_mutex_lock(&lock); append(name, strlen(name)); }
static void end(void) { append("\n", 1); pthread_mutex_unlock(&lock); }

static int find(const char *name)
{
    for (int i = 0; i < script_count; i++)
        if (strcmp(script[i].name, name) == 0) return i;
    return -1;
}

/* The scripted result for name, else def; sets errno to the scripted last error when the result means failure. */
static int64_t result(const char *name, int64_t def)
{
    int i = find(name);
    return i >= 0 && script[i].has_value ? script[i].value : def;
}

static int32_t scripted_errno(const char *name)
{
    int i = find(name);
    return i >= 0 ? script[i].err : 0;
}

static void fs_reset(void);
void double_reset_messages(void);

/* ---- control API for the tests ----------------------------------------------------------------------------- */

EXPORT void double_reset(void)
{
    pthread_mutex_lock(&lock);
    log_len = 0;
    if (log_text) log_text[0] = 0;
    script_count = 0;
    mount_path_len = -1;
    base_images_null = 1;
    free_count = alloc_count = 0;
    last_alloc = NULL;
    use_fixed_guid = 0;
    partition_size = total_bytes = 0;
    missing_privileges = 0;
    max_in_prepare = 0;
    fs_reset();
    pthread_mutex_unlock(&lock);
    double_reset_messages();
}

EXPORT const char *double_get_log(void) { return log_text ? log_text : ""; }

static int slot(const char *name)
{
    int i = find(name);
    if (i < 0 && script_count < MAX_SCRIPT) {
        i = script_count++;
        snprintf(script[i].name, sizeof script[i].name, "%s", name);
        script[i].has_value = 0;
        script[i].err = 0;
    }
    return i;
}

/* name: an export, or "GetLayerMountPath#1"/"GetLayerMountPath#2" for one of the two calls. */
EXPORT void double_set_result(const char *name, int64_t value)
{
    int i = slot(name);
    if (i >= 0) { script[i].value = value; script[i].has_value = 1; }
}

/* The last error (errno on this OS) a failing BOOL function leaves. */
EXPORT void double_set_last_error(const char *name, int32_t value)
{
    int i = slot(name);
    if (i >= 0) script[i].err = value;
}

/* NULL: GetLayerMountPath reports length 0. */
EXPORT void double_set_mount_path(const uint16_t *s)
{
    if (!s) { mount_path_len = -1; return; }
    int n = 0;
    while (s[n] && n < 1023) { mount_path[n] = s[n]; n++; }
    mount_path[n] = 0;
    mount_path_len = n;
}

/* NULL: GetBaseImages returns a NULL buffer. */
EXPORT void double_set_base_images(const uint16_t *s)
{
    base_images_null = !s;
    if (!s) return;
    int n = 0;
    while (s[n] && n < 4095) { base_images[n] = s[n]; n++; }
    base_images[n] = 0;
}

/* NULL: NameToGuid hashes the name (the default). */
EXPORT void double_set_guid(const GUID *g)
{
    use_fixed_guid = g != NULL;
    if (g) fixed_guid = *g;
}

EXPORT int double_get_free_count(void) { return free_count; }
EXPORT int double_get_alloc_count(void) { return alloc_count; }
EXPORT int double_get_max_concurrent_prepare(void) { return max_in_prepare; }

EXPORT void double_set_disk(int64_t partition, int64_t total) { partition_size = partition; total_bytes = total; }

/* Privilege LUIDs (0..63) the token does not hold: AdjustTokenPrivileges then succeeds with ERROR_NOT_ALL_ASSIGNED. */
EXPORT void double_set_missing_privilege(uint32_t luid) { if (luid < 64) missing_privileges |= 1ull << luid; }

/* ---- vmcompute.dll ----------------------------------------------------------------------------------------- */

static int32_t simple(const char *name, const DriverInfo *info, const uint16_t *id)
{
    begin(name);
    append_info(info);
    append(" id=", 4);
    append_str(id);
    end();
    return (int32_t)result(name, 0);
}

EXPORT int32_t ActivateLayer(const DriverInfo *info, const uint16_t *id) { return simple("ActivateLayer", info, id); }
EXPORT int32_t DeactivateLayer(const DriverInfo *info, const uint16_t *id) { return simple("DeactivateLayer", info, id); }
EXPORT int32_t DestroyLayer(const DriverInfo *info, const uint16_t *id) { return simple("DestroyLayer", info, id); }
EXPORT int32_t UnprepareLayer(const DriverInfo *info, const uint16_t *id) { return simple("UnprepareLayer", info, id); }

EXPORT int32_t CreateLayer(const DriverInfo *info, const uint16_t *id, const uint16_t *parent)
{
    begin("CreateLayer");
    append_info(info);
    append(" id=", 4); append_str(id);
    append(" parent=", 8); append_str(parent);
    end();
    return (int32_t)result("CreateLayer", 0);
}

EXPORT int32_t CopyLayer(const DriverInfo *info, const uint16_t *srcId, const uint16_t *dstId, const WC_LAYER_DESCRIPTOR *layers, uint32_t count)
{
    begin("CopyLayer");
    append_info(info);
    append(" src=", 5); append_str(srcId);
    append(" dst=", 5); append_str(dstId);
    append_layers(layers, count);
    end();
    return (int32_t)result("CopyLayer", 0);
}

EXPORT int32_t CreateSandboxLayer(const DriverInfo *info, const uint16_t *id, const uint16_t *parentId, const WC_LAYER_DESCRIPTOR *layers, uint32_t count)
{
    begin("CreateSandboxLayer");
    append_info(info);
    append(" id=", 4); append_str(id);
    append(" parentId=", 10); append_str(parentId);
    append_layers(layers, count);
    end();
    return (int32_t)result("CreateSandboxLayer", 0);
}

EXPORT int32_t ExpandSandboxSize(const DriverInfo *info, const uint16_t *id, uint64_t size)
{
    begin("ExpandSandboxSize");
    append_info(info);
    append(" id=", 4); append_str(id);
    appendf(" size=%llu", (unsigned long long)size);
    end();
    return (int32_t)result("ExpandSandboxSize", 0);
}

static int32_t with_folder(const char *name, const char *folder_key, const DriverInfo *info, const uint16_t *id, const uint16_t *folder, const WC_LAYER_DESCRIPTOR *layers, uint32_t count)
{
    begin(name);
    append_info(info);
    append(" id=", 4); append_str(id);
    appendf(" %s=", folder_key); append_str(folder);
    append_layers(layers, count);
    end();
    return (int32_t)result(name, 0);
}

EXPORT int32_t ExportLayer(const DriverInfo *info, const uint16_t *id, const uint16_t *folder, const WC_LAYER_DESCRIPTOR *layers, uint32_t count)
{
    return with_folder("ExportLayer", "exportFolderPath", info, id, folder, layers, count);
}

EXPORT int32_t ImportLayer(const DriverInfo *info, const uint16_t *id, const uint16_t *folder, const WC_LAYER_DESCRIPTOR *layers, uint32_t count)
{
    return with_folder("ImportLayer", "importFolderPath", info, id, folder, layers, count);
}

EXPORT int32_t PrepareLayer(const DriverInfo *info, const uint16_t *id, const WC_LAYER_DESCRIPTOR *layers, uint32_t count)
{
    int now = __atomic_add_fetch(&in_prepare, 1, __ATOMIC_SEQ_CST);
    int seen = __atomic_load_n(&max_in_prepare, __ATOMIC_SEQ_CST);
    while (now > seen && !__atomic_compare_exchange_n(&max_in_prepare, &seen, now, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {}
    struct timespec pause = { 0, 2 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    begin("PrepareLayer");
    append_info(info);
    append(" id=", 4); append_str(id);
    append_layers(layers, count);
    end();
    __atomic_sub_fetch(&in_prepare, 1, __ATOMIC_SEQ_CST);
    return (int32_t)result("PrepareLayer", 0);
}

EXPORT int32_t GetLayerMountPath(const DriverInfo *info, const uint16_t *id, uintptr_t *length, uint16_t *buffer)
{
    int second = buffer != NULL;
    begin("GetLayerMountPath");
    append_info(info);
    append(" id=", 4); append_str(id);
    appendf(" length=%llu buffer=%s", (unsigned long long)*length, buffer ? (buffer[0] == 0 ? "zeroed" : "dirty") : "NULL");
    end();
    int32_t hr = (int32_t)result(second ? "GetLayerMountPath#2" : "GetLayerMountPath#1", 0);
    if (hr < 0) return hr;
    uintptr_t needed = mount_path_len < 0 ? 0 : (uintptr_t)mount_path_len + 1;
    if (!second) { *length = needed; return hr; }
    if (*length < needed) return (int32_t)0x8007007A; /* ERROR_INSUFFICIENT_BUFFER */
    memcpy(buffer, mount_path, needed * sizeof(uint16_t));
    *length = needed;
    return hr;
}

EXPORT int32_t GetBaseImages(uint16_t **buffer)
{
    begin("GetBaseImages");
    appendf(" buffer=%s", buffer ? (*buffer ? "dirty" : "NULL-initialized") : "NULL");
    end();
    int32_t hr = (int32_t)result("GetBaseImages", 0);
    if (hr < 0) return hr;
    if (base_images_null) { *buffer = NULL; return hr; }
    size_t n = 0;
    while (base_images[n]) n++;
    *buffer = malloc((n + 1) * sizeof(uint16_t));
    memcpy(*buffer, base_images, (n + 1) * sizeof(uint16_t));
    last_alloc = *buffer;
    alloc_count++;
    return hr;
}

EXPORT int32_t LayerExists(const DriverInfo *info, const uint16_t *id, int32_t *exists)
{
    begin("LayerExists");
    append_info(info);
    append(" id=", 4); append_str(id);
    end();
    *exists = (int32_t)result("LayerExists.exists", 0);
    return (int32_t)result("LayerExists", 0);
}

EXPORT int32_t NameToGuid(const uint16_t *name, GUID *guid)
{
    begin("NameToGuid");
    append(" name=", 6); append_str(name);
    end();
    if (use_fixed_guid) {
        *guid = fixed_guid;
    } else {
        /* Not HCS's algorithm (that one is private): FNV-1a over the UTF-16 units, shaped as a version 5 GUID. */
        uint64_t h = 1469598103934665603ull, h2 = 1099511628211ull;
        for (size_t i = 0; name[i]; i++) { h = (h ^ name[i]) * 1099511628211ull; h2 = (h2 ^ name[i]) * 6364136223846793005ull + 1; }
        guid->Data1 = (uint32_t)h;
        guid->Data2 = (uint16_t)(h >> 32);
        guid->Data3 = (uint16_t)(0x5000 | ((h >> 48) & 0x0FFF));
        for (int i = 0; i < 8; i++) guid->Data4[i] = (uint8_t)(h2 >> (8 * i));
        guid->Data4[0] = (uint8_t)(0x80 | (guid->Data4[0] & 0x3F));
    }
    return (int32_t)result("NameToGuid", 0);
}

static int32_t path_only(const char *name, const uint16_t *path)
{
    begin(name);
    append(" path=", 6); append_str(path);
    end();
    return (int32_t)result(name, 0);
}

EXPORT int32_t ProcessBaseImage(const uint16_t *path) { return path_only("ProcessBaseImage", path); }
EXPORT int32_t ProcessUtilityImage(const uint16_t *path) { return path_only("ProcessUtilityImage", path); }

#ifndef DOUBLE_OMIT_GRANTVMACCESS
EXPORT int32_t GrantVmAccess(const uint16_t *vmId, const uint16_t *filePath)
{
    begin("GrantVmAccess");
    append(" vmId=", 6); append_str(vmId);
    append(" filePath=", 10); append_str(filePath);
    end();
    return (int32_t)result("GrantVmAccess", 0);
}
#endif

/* ---- offreg.dll (returns Win32 codes) and ntdll.dll RtlGetVersion ------------------------------------------ */

#define HIVE_HANDLE ((intptr_t)0x4004)

typedef struct {
    uint32_t dwOSVersionInfoSize, dwMajorVersion, dwMinorVersion, dwBuildNumber, dwPlatformId;
    uint16_t szCSDVersion[128];
    uint16_t wServicePackMajor, wServicePackMinor, wSuiteMask;
    uint8_t wProductType, wReserved;
} OSVERSIONINFOEXW;

EXPORT uint32_t ORCreateHive(intptr_t *hive)
{
    begin("ORCreateHive");
    end();
    uint32_t r = (uint32_t)result("ORCreateHive", 0);
    *hive = r == 0 ? HIVE_HANDLE : 0;
    return r;
}

/* Records the path and version; on success creates an empty file at the path (UTF-16 converted to UTF-8), as a
 * saved hive would be there afterwards. A path it cannot create gives ERROR_PATH_NOT_FOUND or ERROR_ACCESS_DENIED. */
EXPORT uint32_t ORSaveHive(intptr_t hive, const uint16_t *path, uint32_t major, uint32_t minor)
{
    begin("ORSaveHive");
    appendf(" hive=0x%lx path=", (long)hive);
    append_str(path);
    appendf(" version=%u.%u", major, minor);
    end();
    uint32_t r = (uint32_t)result("ORSaveHive", 0);
    if (r != 0 || !path) return r;
    char utf8[4096];
    size_t n = 0;
    for (size_t i = 0; path[i] && n + 4 < sizeof utf8; i++) {
        uint32_t c = path[i];
        if (c >= 0xD800 && c < 0xDC00 && path[i + 1] >= 0xDC00 && path[i + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (path[i + 1] - 0xDC00);
            i++;
        }
        if (c < 0x80) utf8[n++] = (char)c;
        else if (c < 0x800) { utf8[n++] = (char)(0xC0 | c >> 6); utf8[n++] = (char)(0x80 | (c & 0x3F)); }
        else if (c < 0x10000) { utf8[n++] = (char)(0xE0 | c >> 12); utf8[n++] = (char)(0x80 | (c >> 6 & 0x3F)); utf8[n++] = (char)(0x80 | (c & 0x3F)); }
        else { utf8[n++] = (char)(0xF0 | c >> 18); utf8[n++] = (char)(0x80 | (c >> 12 & 0x3F)); utf8[n++] = (char)(0x80 | (c >> 6 & 0x3F)); utf8[n++] = (char)(0x80 | (c & 0x3F)); }
    }
    utf8[n] = 0;
    FILE *f = fopen(utf8, "wb");
    if (!f) return errno == ENOENT ? 3 : 5;
    fclose(f);
    return 0;
}

EXPORT uint32_t ORCloseHive(intptr_t hive)
{
    begin("ORCloseHive");
    appendf(" hive=0x%lx", (long)hive);
    end();
    return (uint32_t)result("ORCloseHive", 0);
}

/* Reports 10.0 build 20348 (scripted result: the NTSTATUS to return). */
EXPORT int32_t RtlGetVersion(OSVERSIONINFOEXW *info)
{
    begin("RtlGetVersion");
    appendf(" size=%u", info->dwOSVersionInfoSize);
    end();
    int32_t r = (int32_t)result("RtlGetVersion", 0);
    if (r == 0 && info->dwOSVersionInfoSize >= sizeof(OSVERSIONINFOEXW)) {
        info->dwMajorVersion = 10;
        info->dwMinorVersion = 0;
        info->dwBuildNumber = 20348;
        info->dwPlatformId = 2;
    }
    return r;
}

/* ---- ole32.dll --------------------------------------------------------------------------------------------- */

EXPORT void CoTaskMemFree(void *p)
{
    begin("CoTaskMemFree");
    append(p == NULL ? " NULL" : p == last_alloc ? " last-allocation" : " unknown-pointer", p == NULL ? 5 : p == last_alloc ? 16 : 16);
    end();
    if (p == last_alloc && p) { free(p); last_alloc = NULL; free_count++; }
}

/* ---- virtdisk.dll (returns Win32 codes) -------------------------------------------------------------------- */

#define DISK_HANDLE ((intptr_t)0x1001)
#define VOLUME_HANDLE ((intptr_t)0x2002)
#define TOKEN_HANDLE ((intptr_t)0x3003)

EXPORT uint32_t OpenVirtualDisk(const VIRTUAL_STORAGE_TYPE *type, const uint16_t *path, uint32_t access, uint32_t flags, const OPEN_VIRTUAL_DISK_PARAMETERS *p, intptr_t *handle)
{
    begin("OpenVirtualDisk");
    appendf(" type={%u,", type->DeviceId);
    append_guid(&type->VendorId);
    append("} path=", 7); append_str(path);
    appendf(" access=0x%x flags=0x%x params={v%u,getInfoOnly=%d,readOnly=%d,", access, flags, p->Version, p->GetInfoOnly, p->ReadOnly);
    append_guid(&p->ResiliencyGuid);
    append("}", 1);
    end();
    uint32_t r = (uint32_t)result("OpenVirtualDisk", 0);
    *handle = r == 0 ? DISK_HANDLE : 0;
    errno = 0;
    return r;
}

EXPORT uint32_t AttachVirtualDisk(intptr_t handle, void *sd, uint32_t flags, uint32_t providerFlags, void *params, void *overlapped)
{
    begin("AttachVirtualDisk");
    appendf(" handle=0x%lx sd=%s flags=0x%x providerFlags=0x%x params=%s overlapped=%s", (long)handle, sd ? "set" : "NULL", flags,
            providerFlags, params ? "set" : "NULL", overlapped ? "set" : "NULL");
    end();
    return (uint32_t)result("AttachVirtualDisk", 0);
}

/* ---- kernel32.dll (BOOL results, last error through errno) ------------------------------------------------- */

static int32_t boolean(const char *name)
{
    int32_t ok = (int32_t)result(name, 1);
    errno = ok ? 0 : scripted_errno(name);
    return ok;
}

EXPORT int32_t CloseHandle(intptr_t handle)
{
    begin("CloseHandle");
    appendf(" handle=0x%lx", (long)handle);
    end();
    return boolean("CloseHandle");
}

static intptr_t open_root(const uint16_t *name);

EXPORT intptr_t CreateFileW(const uint16_t *name, uint32_t access, uint32_t share, void *sa, uint32_t disposition, uint32_t flags, void *templ)
{
    begin("CreateFileW");
    append(" name=", 6); append_str(name);
    appendf(" access=0x%x share=0x%x sa=%s disposition=%u flags=0x%x template=%s", access, share, sa ? "set" : "NULL", disposition, flags,
            templ ? "set" : "NULL");
    end();
    /* FILE_FLAG_BACKUP_SEMANTICS: the Windows file-system seam opening a layer root; a real folder stands in for it. */
    if (flags & 0x02000000u) return open_root(name);
    return boolean("CreateFileW") ? VOLUME_HANDLE : -1;
}

EXPORT int32_t DeviceIoControl(intptr_t handle, uint32_t code, void *in, uint32_t inSize, void *out, uint32_t outSize, uint32_t *returned, void *overlapped)
{
    char key[64];
    snprintf(key, sizeof key, "DeviceIoControl#0x%x", code);
    begin("DeviceIoControl");
    appendf(" handle=0x%lx code=0x%x inSize=%u", (long)handle, code, inSize);
    if (in && inSize == 8) appendf(" in=%lld", (long long)*(int64_t *)in);
    appendf(" outSize=%u returned=%s overlapped=%s", outSize, returned ? "set" : "NULL", overlapped ? "set" : "NULL");
    end();
    int32_t ok = boolean(key);
    if (ok && code == 0x0007405C && out && outSize >= 8) { *(int64_t *)out = partition_size; if (returned) *returned = 8; }
    return ok;
}

EXPORT int32_t GetDiskFreeSpaceExW(const uint16_t *dir, uint64_t *freeToCaller, uint64_t *total, uint64_t *totalFree)
{
    begin("GetDiskFreeSpaceExW");
    append(" dir=", 5); append_str(dir);
    appendf(" freeToCaller=%s total=%s totalFree=%s", freeToCaller ? "set" : "NULL", total ? "set" : "NULL", totalFree ? "set" : "NULL");
    end();
    int32_t ok = boolean("GetDiskFreeSpaceExW");
    if (ok && total) *total = (uint64_t)total_bytes;
    return ok;
}

/* ---- advapi32.dll ------------------------------------------------------------------------------------------ */

static const struct { const char *name; uint32_t luid; const char *display; } privileges[] = {
    { "SeSecurityPrivilege", 8, "Manage auditing and security log" },
    { "SeBackupPrivilege", 17, "Back up files and directories" },
    { "SeRestorePrivilege", 18, "Restore files and directories" },
};

static int same(const uint16_t *w, const char *a)
{
    size_t i = 0;
    for (; w[i] && a[i]; i++) if (w[i] != (uint16_t)(unsigned char)a[i]) return 0;
    return w[i] == 0 && a[i] == 0;
}

EXPORT int32_t ImpersonateSelf(int32_t level)
{
    begin("ImpersonateSelf");
    appendf(" level=%d", level);
    end();
    return boolean("ImpersonateSelf");
}

EXPORT int32_t RevertToSelf(void)
{
    begin("RevertToSelf");
    end();
    return boolean("RevertToSelf");
}

EXPORT int32_t OpenThreadToken(intptr_t thread, uint32_t access, int32_t openAsSelf, intptr_t *token)
{
    begin("OpenThreadToken");
    appendf(" thread=%ld access=0x%x openAsSelf=%d", (long)thread, access, openAsSelf);
    end();
    int32_t ok = boolean("OpenThreadToken");
    *token = ok ? TOKEN_HANDLE : 0;
    return ok;
}

EXPORT int32_t OpenProcessToken(intptr_t process, uint32_t access, intptr_t *token)
{
    begin("OpenProcessToken");
    appendf(" process=%ld access=0x%x", (long)process, access);
    end();
    int32_t ok = boolean("OpenProcessToken");
    *token = ok ? TOKEN_HANDLE : 0;
    return ok;
}

EXPORT int32_t LookupPrivilegeValueW(const uint16_t *system, const uint16_t *name, LUID *luid)
{
    begin("LookupPrivilegeValueW");
    append(" system=", 8); append_str(system);
    append(" name=", 6); append_str(name);
    end();
    for (size_t i = 0; i < sizeof privileges / sizeof privileges[0]; i++) {
        if (same(name, privileges[i].name)) { luid->LowPart = privileges[i].luid; luid->HighPart = 0; errno = 0; return 1; }
    }
    errno = 1313; /* ERROR_NO_SUCH_PRIVILEGE */
    return 0;
}

EXPORT int32_t AdjustTokenPrivileges(intptr_t token, int32_t disableAll, const TOKEN_PRIVILEGES1 *state, uint32_t length, void *previous, uint32_t *returned)
{
    begin("AdjustTokenPrivileges");
    appendf(" token=0x%lx disableAll=%d count=%u luid=%u:%d attributes=0x%x length=%u previous=%s returned=%s", (long)token, disableAll,
            state->PrivilegeCount, state->Luid.LowPart, state->Luid.HighPart, state->Attributes, length, previous ? "set" : "NULL",
            returned ? "set" : "NULL");
    end();
    int32_t ok = boolean("AdjustTokenPrivileges");
    if (ok && state->Luid.LowPart < 64 && (missing_privileges >> state->Luid.LowPart & 1)) errno = 1300; /* ERROR_NOT_ALL_ASSIGNED */
    return ok;
}

static int32_t copy_out(const char *text, uint16_t *buffer, uint32_t *cch)
{
    uint32_t n = (uint32_t)strlen(text);
    if (!buffer || *cch <= n) { *cch = n + 1; errno = 122; return 0; }
    for (uint32_t i = 0; i <= n; i++) buffer[i] = (uint16_t)(unsigned char)text[i];
    *cch = n;
    errno = 0;
    return 1;
}

EXPORT int32_t LookupPrivilegeNameW(const uint16_t *system, const LUID *luid, uint16_t *name, uint32_t *cch)
{
    begin("LookupPrivilegeNameW");
    appendf(" luid=%u", luid->LowPart);
    (void)system;
    end();
    for (size_t i = 0; i < sizeof privileges / sizeof privileges[0]; i++)
        if (privileges[i].luid == luid->LowPart) return copy_out(privileges[i].name, name, cch);
    errno = 1313;
    return 0;
}

EXPORT int32_t LookupPrivilegeDisplayNameW(const uint16_t *system, const uint16_t *name, uint16_t *display, uint32_t *cch, uint32_t *language)
{
    begin("LookupPrivilegeDisplayNameW");
    append(" name=", 6); append_str(name);
    appendf(" cch=%u", *cch);
    (void)system;
    end();
    *language = 0x409;
    for (size_t i = 0; i < sizeof privileges / sizeof privileges[0]; i++)
        if (same(name, privileges[i].name)) return copy_out(privileges[i].display, display, cch);
    errno = 1313;
    return 0;
}

/* ---- the Windows file-system seam (kernel32 backup/file-information functions, ntdll NtCreateFile) ----------
 * WindowsLayerRoot runs against real POSIX folders: handles are file descriptors (SafeFileHandle closes them with
 * close()), names are walked without following symbolic links (OBJ_DONT_REPARSE), and what Windows keeps in NTFS
 * (basic info, reparse points) is kept in a table by device and inode. Every call that opens, changes or restores
 * is logged with the real path, so tests can check access masks, dispositions and the order of the calls. */

#define STATUS_SUCCESS 0
#define STATUS_UNSUCCESSFUL ((int32_t)0xC0000001)
#define STATUS_ACCESS_DENIED ((int32_t)0xC0000022)
#define STATUS_OBJECT_NAME_NOT_FOUND ((int32_t)0xC0000034)
#define STATUS_OBJECT_NAME_COLLISION ((int32_t)0xC0000035)
#define STATUS_OBJECT_PATH_NOT_FOUND ((int32_t)0xC000003A)
#define STATUS_PRIVILEGE_NOT_HELD ((int32_t)0xC0000061)
#define STATUS_FILE_IS_A_DIRECTORY ((int32_t)0xC00000BA)
#define STATUS_DIRECTORY_NOT_EMPTY ((int32_t)0xC0000101)
#define STATUS_NOT_A_DIRECTORY ((int32_t)0xC0000103)
#define STATUS_INVALID_INFO_CLASS ((int32_t)0xC0000003)
#define STATUS_REPARSE_POINT_ENCOUNTERED ((int32_t)0xC000050B)

#define ATTR_DIRECTORY 0x10u
#define ATTR_ARCHIVE 0x20u
#define ATTR_REPARSE_POINT 0x400u

typedef struct { uint16_t Length, MaximumLength; const uint16_t *Buffer; } UNICODE_STRING;
typedef struct { uint32_t Length; intptr_t RootDirectory; const UNICODE_STRING *ObjectName; uint32_t Attributes; void *Sd, *Qos; } OBJECT_ATTRIBUTES;
typedef struct { intptr_t Status; uintptr_t Information; } IO_STATUS_BLOCK;

#define MAX_NODES 256
static struct { dev_t dev; ino_t ino; int has_basic; int64_t times[4]; uint32_t attributes; int reparse; } nodes[MAX_NODES];
static int node_count;
static uint32_t denied_access;     /* NtCreateFile fails with STATUS_PRIVILEGE_NOT_HELD when asked for any of these */
static int live_backup_contexts;   /* BackupRead/BackupWrite contexts not yet freed with abort */
#define MAX_FDS 4096
static unsigned char listed[MAX_FDS]; /* the directory listing of this descriptor was returned */

typedef struct { int write; int stage; int64_t offset; } BACKUP_CONTEXT;

static void fs_reset(void)
{
    node_count = 0;
    denied_access = 0;
    live_backup_contexts = 0;
    memset(listed, 0, sizeof listed);
}

static int node_of(dev_t dev, ino_t ino, int create)
{
    for (int i = 0; i < node_count; i++)
        if (nodes[i].dev == dev && nodes[i].ino == ino) return i;
    if (!create || node_count == MAX_NODES) return -1;
    memset(&nodes[node_count], 0, sizeof nodes[0]);
    nodes[node_count].dev = dev;
    nodes[node_count].ino = ino;
    return node_count++;
}

static int node_of_fd(intptr_t fd, int create, struct stat *st)
{
    if (fstat((int)fd, st) != 0) return -1;
    return node_of(st->st_dev, st->st_ino, create);
}

static void append_fd_path(intptr_t fd)
{
    char link[64], target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%ld", (long)fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0) { append("\"?\"", 3); return; }
    target[n] = 0;
    appendf("\"%s\"", target);
}

/* UTF-16 (n units) to UTF-8 with '\' as '/'. */
static void to_posix(const uint16_t *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        uint32_t c = s[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < n) { c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00); i++; }
        if (c == '\\') c = '/';
        if (c < 0x80) out[o++] = (char)c;
        else if (c < 0x800) { out[o++] = (char)(0xC0 | c >> 6); out[o++] = (char)(0x80 | (c & 0x3F)); }
        else if (c < 0x10000) { out[o++] = (char)(0xE0 | c >> 12); out[o++] = (char)(0x80 | (c >> 6 & 0x3F)); out[o++] = (char)(0x80 | (c & 0x3F)); }
        else { out[o++] = (char)(0xF0 | c >> 18); out[o++] = (char)(0x80 | (c >> 12 & 0x3F)); out[o++] = (char)(0x80 | (c >> 6 & 0x3F)); out[o++] = (char)(0x80 | (c & 0x3F)); }
    }
    out[o] = 0;
}

static int32_t status_of(int e)
{
    switch (e) {
    case ENOENT: return STATUS_OBJECT_NAME_NOT_FOUND;
    case EEXIST: return STATUS_OBJECT_NAME_COLLISION;
    case ENOTDIR: return STATUS_NOT_A_DIRECTORY;
    case EISDIR: return STATUS_FILE_IS_A_DIRECTORY;
    case ELOOP: return STATUS_REPARSE_POINT_ENCOUNTERED;
    case ENOTEMPTY: return STATUS_DIRECTORY_NOT_EMPTY;
    case EACCES: case EPERM: return STATUS_ACCESS_DENIED;
    default: return STATUS_UNSUCCESSFUL;
    }
}

static intptr_t open_root(const uint16_t *name)
{
    size_t n = 0;
    while (name[n]) n++;
    size_t skip = n >= 4 && name[0] == '\\' && name[1] == '\\' && name[2] == '?' && name[3] == '\\' ? 4 : 0;
    char path[4096];
    to_posix(name + skip, n - skip, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) { errno = errno == ENOENT ? 2 : errno == ENOTDIR ? 3 : 5; return -1; }
    if (fd < MAX_FDS) listed[fd] = 0;
    errno = 0;
    return fd;
}

/* Tests: the entry at this path is a reparse point (a junction when it is a directory). */
EXPORT void double_mark_reparse(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return;
    pthread_mutex_lock(&lock);
    int i = node_of(st.st_dev, st.st_ino, 1);
    if (i >= 0) nodes[i].reparse = 1;
    pthread_mutex_unlock(&lock);
}

EXPORT void double_deny_access(uint32_t mask) { denied_access = mask; }
EXPORT int double_get_live_backup_contexts(void) { return live_backup_contexts; }

EXPORT int32_t NtCreateFile(intptr_t *handle, uint32_t access, const OBJECT_ATTRIBUTES *oa, IO_STATUS_BLOCK *io, int64_t *allocation,
                            uint32_t fileAttributes, uint32_t share, uint32_t disposition, uint32_t options, void *ea, uint32_t eaLength)
{
    char name[4096];
    to_posix(oa->ObjectName->Buffer, oa->ObjectName->Length / 2, name, sizeof name);
    begin("NtCreateFile");
    append(" root=", 6); append_fd_path(oa->RootDirectory);
    appendf(" name=\"%s\" access=0x%x share=0x%x disposition=%u options=0x%x objAttributes=0x%x", name, access, share, disposition, options,
            oa->Attributes);
    end();
    (void)allocation; (void)fileAttributes; (void)ea; (void)eaLength;
    *handle = 0;
    if (access & denied_access) return STATUS_PRIVILEGE_NOT_HELD;

    /* Walk the parents without following links: OBJ_DONT_REPARSE. */
    int parent = dup((int)oa->RootDirectory);
    char *leaf = name;
    for (char *slash; (slash = strchr(leaf, '/')) != NULL; leaf = slash + 1) {
        *slash = 0;
        int next = openat(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        close(parent);
        if (next < 0) return e == ENOENT ? STATUS_OBJECT_PATH_NOT_FOUND : status_of(e);
        parent = next;
    }

    int directory = (options & 0x1) != 0, non_directory = (options & 0x40) != 0;
    int write = (access & (0x40000000u | 0x2u | 0x4u)) != 0;
    int fd;
    if (leaf[0] == 0) {
        fd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } else if (disposition == 2 && directory) {
        fd = mkdirat(parent, leaf, 0755) == 0 ? openat(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
    } else {
        struct stat st;
        int exists = fstatat(parent, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0;
        if (exists && S_ISLNK(st.st_mode)) { close(parent); return STATUS_REPARSE_POINT_ENCOUNTERED; }
        if (exists && disposition == 2) { close(parent); return STATUS_OBJECT_NAME_COLLISION; }
        if (!exists && disposition != 2) { close(parent); return STATUS_OBJECT_NAME_NOT_FOUND; }
        if (exists && S_ISDIR(st.st_mode) && non_directory) { close(parent); return STATUS_FILE_IS_A_DIRECTORY; }
        if (exists && !S_ISDIR(st.st_mode) && directory) { close(parent); return STATUS_NOT_A_DIRECTORY; }
        int flags = O_NOFOLLOW | O_CLOEXEC | (disposition == 2 ? O_CREAT | O_EXCL : 0);
        flags |= exists && S_ISDIR(st.st_mode) ? O_RDONLY | O_DIRECTORY : write || disposition == 2 ? O_RDWR : O_RDONLY;
        fd = openat(parent, leaf, flags, 0644);
    }
    int e = errno;
    close(parent);
    if (fd < 0) return status_of(e);
    if (fd < MAX_FDS) listed[fd] = 0;
    *handle = fd;
    if (io) { io->Status = 0; io->Information = disposition == 2 ? 2 : 1; }
    return STATUS_SUCCESS;
}

EXPORT uint32_t RtlNtStatusToDosError(int32_t status)
{
    switch (status) {
    case STATUS_SUCCESS: return 0;
    case STATUS_OBJECT_NAME_NOT_FOUND: return 2;
    case STATUS_OBJECT_PATH_NOT_FOUND: return 3;
    case STATUS_ACCESS_DENIED: case STATUS_FILE_IS_A_DIRECTORY: return 5;
    case STATUS_INVALID_INFO_CLASS: return 87;
    case STATUS_DIRECTORY_NOT_EMPTY: return 145;
    case STATUS_OBJECT_NAME_COLLISION: return 183;
    case STATUS_NOT_A_DIRECTORY: return 267;
    case STATUS_PRIVILEGE_NOT_HELD: return 1314;
    case STATUS_REPARSE_POINT_ENCOUNTERED: return 4395;
    default: return 317;
    }
}

EXPORT int32_t NtSetInformationFile(intptr_t handle, IO_STATUS_BLOCK *io, const void *info, uint32_t length, int32_t infoClass)
{
    begin("NtSetInformationFile");
    append(" file=", 6); append_fd_path(handle);
    appendf(" class=%d length=%u", infoClass, length);
    end();
    (void)io;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%ld", (long)handle);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 0) return STATUS_UNSUCCESSFUL;
    path[n] = 0;
    if (infoClass == 13 || infoClass == 64) {
        struct stat st;
        if (lstat(path, &st) != 0) return status_of(errno);
        return (S_ISDIR(st.st_mode) ? rmdir(path) : unlink(path)) == 0 ? STATUS_SUCCESS : status_of(errno);
    }
    if (infoClass == 11) {
        const unsigned char *b = info;
        intptr_t root;
        uint32_t nameBytes;
        memcpy(&root, b + 8, sizeof root);
        memcpy(&nameBytes, b + 16, sizeof nameBytes);
        char name[4096];
        uint16_t wide[2048];
        memcpy(wide, b + 20, nameBytes < sizeof wide ? nameBytes : sizeof wide);
        to_posix(wide, nameBytes / 2, name, sizeof name);
        return linkat(AT_FDCWD, link, root ? (int)root : AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0 ? STATUS_SUCCESS : status_of(errno);
    }
    return STATUS_INVALID_INFO_CLASS;
}

static uint32_t default_attributes(const struct stat *st, int i)
{
    uint32_t a = S_ISDIR(st->st_mode) ? ATTR_DIRECTORY : ATTR_ARCHIVE;
    if (i >= 0 && nodes[i].has_basic) a = nodes[i].attributes | (S_ISDIR(st->st_mode) ? ATTR_DIRECTORY : 0);
    if (i >= 0 && nodes[i].reparse) a |= ATTR_REPARSE_POINT;
    return a;
}

static size_t put_utf16(const char *s, unsigned char *out, size_t cap)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 <= cap;) {
        uint32_t c = *p++;
        if (c >= 0xF0) { c = (c & 7) << 18 | (p[0] & 0x3F) << 12 | (p[1] & 0x3F) << 6 | (p[2] & 0x3F); p += 3; }
        else if (c >= 0xE0) { c = (c & 15) << 12 | (p[0] & 0x3F) << 6 | (p[1] & 0x3F); p += 2; }
        else if (c >= 0xC0) { c = (c & 31) << 6 | (p[0] & 0x3F); p += 1; }
        if (c >= 0x10000) {
            c -= 0x10000;
            uint16_t hi = (uint16_t)(0xD800 + (c >> 10)), lo = (uint16_t)(0xDC00 + (c & 0x3FF));
            memcpy(out + o, &hi, 2); memcpy(out + o + 2, &lo, 2); o += 4;
        } else {
            uint16_t u = (uint16_t)c;
            memcpy(out + o, &u, 2); o += 2;
        }
    }
    return o;
}

EXPORT int32_t GetFileInformationByHandleEx(intptr_t handle, int32_t infoClass, void *buffer, uint32_t size)
{
    struct stat st;
    pthread_mutex_lock(&lock);
    int i = node_of_fd(handle, 0, &st);
    int32_t ok = 1;
    if (fstat((int)handle, &st) != 0) { errno = 6; ok = 0; }
    else if (infoClass == 0 && size >= 40) {
        int64_t t[4] = { 0, 0, 0, 0 };
        if (i >= 0 && nodes[i].has_basic) memcpy(t, nodes[i].times, sizeof t);
        uint32_t a = default_attributes(&st, i);
        memset(buffer, 0, 40);
        memcpy(buffer, t, sizeof t);
        memcpy((char *)buffer + 32, &a, 4);
    } else if (infoClass == 1 && size >= 24) {
        int64_t allocation = (int64_t)st.st_blocks * 512, eof = S_ISDIR(st.st_mode) ? 0 : (int64_t)st.st_size;
        uint32_t links = (uint32_t)st.st_nlink;
        memset(buffer, 0, 24);
        memcpy(buffer, &allocation, 8);
        memcpy((char *)buffer + 8, &eof, 8);
        memcpy((char *)buffer + 16, &links, 4);
        ((unsigned char *)buffer)[21] = S_ISDIR(st.st_mode) ? 1 : 0;
    } else if (infoClass == 18 && size >= 24) {
        uint64_t serial = (uint64_t)st.st_dev, id = (uint64_t)st.st_ino;
        memset(buffer, 0, 24);
        memcpy(buffer, &serial, 8);
        memcpy((char *)buffer + 8, &id, 8);
    } else if ((infoClass == 14 || infoClass == 15) && S_ISDIR(st.st_mode)) {
        if (handle < MAX_FDS && infoClass == 15) listed[handle] = 0;
        if (handle >= MAX_FDS || listed[handle]) { errno = 18; ok = 0; }
        else {
            listed[handle] = 1;
            int dfd = openat((int)handle, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            DIR *dir = dfd < 0 ? NULL : fdopendir(dfd);
            unsigned char *out = buffer;
            size_t offset = 0, previous = (size_t)-1;
            for (struct dirent *d; dir && (d = readdir(dir)) != NULL;) {
                struct stat child;
                if (fstatat(dfd, d->d_name, &child, AT_SYMLINK_NOFOLLOW) != 0) continue;
                unsigned char name[1024];
                size_t nameBytes = put_utf16(d->d_name, name, sizeof name);
                size_t entry = (68 + nameBytes + 7) & ~(size_t)7;
                if (offset + entry > size) break; /* the tests' folders fit in one buffer */
                memset(out + offset, 0, entry);
                uint32_t a = default_attributes(&child, node_of(child.st_dev, child.st_ino, 0));
                uint32_t n32 = (uint32_t)nameBytes;
                memcpy(out + offset + 56, &a, 4);
                memcpy(out + offset + 60, &n32, 4);
                memcpy(out + offset + 68, name, nameBytes);
                if (previous != (size_t)-1) { uint32_t next = (uint32_t)(offset - previous); memcpy(out + previous, &next, 4); }
                previous = offset;
                offset += entry;
            }
            if (dir) closedir(dir);
            if (previous == (size_t)-1) { errno = 18; ok = 0; }
        }
    } else { errno = 87; ok = 0; }
    if (ok) errno = 0;
    pthread_mutex_unlock(&lock);
    return ok;
}

EXPORT int32_t SetFileInformationByHandle(intptr_t handle, int32_t infoClass, const void *buffer, uint32_t size)
{
    int64_t t[4] = { 0, 0, 0, 0 };
    uint32_t a = 0;
    if (infoClass == 0 && size >= 40) { memcpy(t, buffer, sizeof t); memcpy(&a, (const char *)buffer + 32, 4); }
    begin("SetFileInformationByHandle");
    append(" file=", 6); append_fd_path(handle);
    appendf(" class=%d attributes=0x%x creation=%lld lastAccess=%lld lastWrite=%lld change=%lld", infoClass, a, (long long)t[0],
            (long long)t[1], (long long)t[2], (long long)t[3]);
    struct stat st;
    int i = infoClass == 0 ? node_of_fd(handle, 1, &st) : -1;
    if (i >= 0) {
        if (!nodes[i].has_basic) { nodes[i].has_basic = 1; nodes[i].attributes = S_ISDIR(st.st_mode) ? ATTR_DIRECTORY : ATTR_ARCHIVE; }
        for (int k = 0; k < 4; k++) if (t[k] != 0) nodes[i].times[k] = t[k];
        if (a != 0) nodes[i].attributes = a == 0x80 ? 0 : a & ~ATTR_REPARSE_POINT;
    }
    end();
    errno = i >= 0 ? 0 : 87;
    return i >= 0;
}

static void append_context(void **context, int write)
{
    appendf(" context=%s", !*context ? "new" : ((BACKUP_CONTEXT *)*context)->write == write ? "same" : "other");
}

EXPORT int32_t BackupWrite(intptr_t handle, const unsigned char *buffer, uint32_t n, uint32_t *written, int32_t abort, int32_t processSecurity, void **context)
{
    begin("BackupWrite");
    append(" file=", 6); append_fd_path(handle);
    appendf(" bytes=%u abort=%d processSecurity=%d", n, abort, processSecurity);
    append_context(context, 1);
    end();
    (void)buffer;
    if (abort) {
        if (*context) { free(*context); *context = NULL; __atomic_sub_fetch(&live_backup_contexts, 1, __ATOMIC_SEQ_CST); }
        errno = 0;
        return 1;
    }
    if (!*context) {
        BACKUP_CONTEXT *c = calloc(1, sizeof *c);
        c->write = 1;
        *context = c;
        __atomic_add_fetch(&live_backup_contexts, 1, __ATOMIC_SEQ_CST);
    }
    *written = n;
    errno = 0;
    return 1;
}

/* A file reads as one BACKUP_DATA stream with its content; a directory as nothing, or as one BACKUP_REPARSE_DATA
 * stream (a mount point with empty names) when it is marked as a reparse point. */
EXPORT int32_t BackupRead(intptr_t handle, unsigned char *buffer, uint32_t n, uint32_t *read, int32_t abort, int32_t processSecurity, void **context)
{
    (void)processSecurity;
    if (abort) {
        if (*context) { free(*context); *context = NULL; __atomic_sub_fetch(&live_backup_contexts, 1, __ATOMIC_SEQ_CST); }
        errno = 0;
        return 1;
    }
    struct stat st;
    if (fstat((int)handle, &st) != 0) { errno = 6; return 0; }
    if (!*context) {
        *context = calloc(1, sizeof(BACKUP_CONTEXT));
        __atomic_add_fetch(&live_backup_contexts, 1, __ATOMIC_SEQ_CST);
    }
    BACKUP_CONTEXT *c = *context;
    *read = 0;
    if (S_ISDIR(st.st_mode) && c->stage == 0) {
        pthread_mutex_lock(&lock);
        int i = node_of(st.st_dev, st.st_ino, 0);
        int reparse = i >= 0 && nodes[i].reparse;
        pthread_mutex_unlock(&lock);
        c->stage = 2;
        if (reparse) {
            if (n < 36) { errno = 122; return 0; }
            unsigned char stream[36] = { 8, 0, 0, 0, 0, 0, 0, 0, 16 };
            const unsigned char data[16] = { 0x03, 0, 0, 0xA0, 8, 0, 0, 0, 0, 0, 2, 0, 2, 0, 0, 0 };
            memcpy(stream + 20, data, sizeof data);
            memcpy(buffer, stream, sizeof stream);
            *read = sizeof stream;
        }
        errno = 0;
        return 1;
    }
    if (S_ISDIR(st.st_mode) || c->stage == 2) { errno = 0; return 1; }
    if (c->stage == 0) {
        if (n < 20) { errno = 122; return 0; }
        unsigned char header[20] = { 1, 0, 0, 0 };
        int64_t size = st.st_size;
        memcpy(header + 8, &size, 8);
        memcpy(buffer, header, 20);
        *read = 20;
        c->stage = 1;
        errno = 0;
        return 1;
    }
    ssize_t got = pread((int)handle, buffer, n, c->offset);
    if (got < 0) { errno = 30; return 0; }
    if (got == 0) c->stage = 2;
    c->offset += got;
    *read = (uint32_t)got;
    errno = 0;
    return 1;
}

/* ---- FormatMessageW: scripted system messages (not logged: exceptions format them at any point) --------------- */

#define MAX_MESSAGES 8
static struct { uint32_t id, language; uint16_t text[512]; size_t length; } messages[MAX_MESSAGES];
static int message_count;
static char format_calls[1024];

/* Tests: the system text for id in a language (0: the default language); with "\r\n" appended, as Windows does. */
EXPORT void double_set_message(uint32_t id, uint32_t language, const uint16_t *text)
{
    pthread_mutex_lock(&lock);
    if (message_count < MAX_MESSAGES) {
        size_t n = 0;
        while (text[n] && n < 509) { messages[message_count].text[n] = text[n]; n++; }
        messages[message_count].text[n++] = '\r';
        messages[message_count].text[n++] = '\n';
        messages[message_count].id = id;
        messages[message_count].language = language;
        messages[message_count].length = n;
        message_count++;
    }
    pthread_mutex_unlock(&lock);
}

/* The arguments of the last FormatMessageW calls since the last reset (flags, id, language, size), one per line. */
EXPORT const char *double_get_format_calls(void) { return format_calls; }

EXPORT void double_reset_messages(void)
{
    pthread_mutex_lock(&lock);
    message_count = 0;
    format_calls[0] = 0;
    pthread_mutex_unlock(&lock);
}

EXPORT uint32_t FormatMessageW(uint32_t flags, const void *source, uint32_t id, uint32_t language, uint16_t *buffer, uint32_t size, void *arguments)
{
    pthread_mutex_lock(&lock);
    size_t used = strlen(format_calls);
    snprintf(format_calls + used, sizeof format_calls - used, "flags=0x%x source=%s id=0x%x language=0x%x size=%u arguments=%s\n", flags,
             source ? "set" : "NULL", id, language, size, arguments ? "set" : "NULL");
    uint32_t result = 0;
    errno = 317; /* ERROR_MR_MID_NOT_FOUND */
    for (int i = 0; i < message_count; i++) {
        if (messages[i].id != id || messages[i].language != language) continue;
        if (messages[i].length >= size) { errno = 122; break; }
        memcpy(buffer, messages[i].text, messages[i].length * 2);
        buffer[messages[i].length] = 0;
        result = (uint32_t)messages[i].length;
        errno = 0;
        break;
    }
    pthread_mutex_unlock(&lock);
    return result;
}
