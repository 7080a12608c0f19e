/*
 * A contract double of vmcompute.dll (and the few virtdisk, kernel32, advapi32 and ole32 functions the HCS layer
 * store calls), for running the P/Invoke layer on any OS. Same C prototypes as the Windows exports, written with
 * fixed-size types: strings are uint16_t* (UTF-16, never wchar_t), HRESULTs int32_t, ULONG uint32_t, SIZE_T
 * uintptr_t, BOOL int32_t. Every call is appended to a text log (UTF-8, one line per call) that tests read with
 * double_get_log(); results are scripted with double_set_result() and friends. Build with -DDOUBLE_OMIT_GRANTVMACCESS
 * for a variant that lacks one export.
 */
#include <errno.h>
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
    pthread_mutex_unlock(&lock);
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

EXPORT intptr_t CreateFileW(const uint16_t *name, uint32_t access, uint32_t share, void *sa, uint32_t disposition, uint32_t flags, void *templ)
{
    begin("CreateFileW");
    append(" name=", 6); append_str(name);
    appendf(" access=0x%x share=0x%x sa=%s disposition=%u flags=0x%x template=%s", access, share, sa ? "set" : "NULL", disposition, flags,
            templ ? "set" : "NULL");
    end();
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
