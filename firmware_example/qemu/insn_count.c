/* QEMU TCG plugin: counts guest instructions executed between two marker functions. */
/*
 * Debian ships no qemu-plugin.h, so the few declarations used are written out below, as
 * they are in QEMU's plugin API version 1 (QEMU 7.2). Usage:
 *   qemu-system-arm ... -plugin ./libconstnn_insn_count.so,begin=0xADDR,end=0xADDR -d plugin
 * Every time the code at `begin` starts, counting starts from zero; when the code at `end`
 * starts, the count so far is written as "constnn_insn_count: N". The count thus includes
 * the begin marker's own instructions and the call to the end marker; the firmware measures
 * an empty pair first so that overhead can be subtracted.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef struct qemu_info_t qemu_info_t; /* only passed through, never read */
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb* tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void* userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb* tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void* userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb* tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb* tb);
void qemu_plugin_outs(const char* string);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* Thumb function addresses carry bit 0; translation blocks start at even addresses. */
static uint64_t begin_address;
static uint64_t end_address;
static bool counting;
static uint64_t count;

enum { kind_plain = 0, kind_begin = 1, kind_end = 2, kind_bits = 2 };

/* userdata packs the block's instruction count with what kind of block it is. */
static void on_tb_exec(unsigned int vcpu_index, void* userdata) {
  (void)vcpu_index;
  const uintptr_t packed = (uintptr_t)userdata;
  const unsigned kind = (unsigned)(packed & ((1u << kind_bits) - 1));
  if (kind == kind_begin) {
    counting = true;
    count = 0;
  } else if (kind == kind_end && counting) {
    char line[64];
    snprintf(line, sizeof line, "constnn_insn_count: %" PRIu64 "\n", count);
    qemu_plugin_outs(line);
    counting = false;
  }
  if (counting) count += packed >> kind_bits;
}

static void on_tb_translate(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  (void)id;
  const uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
  const uintptr_t kind = vaddr == begin_address ? kind_begin
                         : vaddr == end_address ? kind_end
                                                : kind_plain;
  const uintptr_t packed = ((uintptr_t)qemu_plugin_tb_n_insns(tb) << kind_bits) | kind;
  qemu_plugin_register_vcpu_tb_exec_cb(tb, on_tb_exec, QEMU_PLUGIN_CB_NO_REGS, (void*)packed);
}

static bool parse_address(const char* arg, const char* key, uint64_t* out) {
  const size_t n = strlen(key);
  if (strncmp(arg, key, n) != 0 || arg[n] != '=') return false;
  *out = strtoull(arg + n + 1, NULL, 0) & ~(uint64_t)1;
  return true;
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id,
                                                               const qemu_info_t* info, int argc,
                                                               char** argv) {
  (void)info;
  bool have_begin = false;
  bool have_end = false;
  for (int k = 0; k < argc; ++k) {
    if (parse_address(argv[k], "begin", &begin_address)) {
      have_begin = true;
    } else if (parse_address(argv[k], "end", &end_address)) {
      have_end = true;
    } else {
      fprintf(stderr, "constnn_insn_count: unknown argument '%s'\n", argv[k]);
      return -1;
    }
  }
  if (!have_begin || !have_end) {
    fprintf(stderr, "constnn_insn_count: needs begin=ADDRESS,end=ADDRESS\n");
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_translate);
  return 0;
}
