# Each microcontroller target's QEMU machine and memory budget: the one table the linker
# scripts, the application's RAM decision and the tests are made from.
#
# Budgets are those of a real part, not of the QEMU board (which has megabytes), so an image
# that would not fit the part fails to link. The stack reserve is at least four times the
# measured peak (about 660 bytes with training, 512 without; painted-stack measurement).
# The QEMU CPU is the machine's own where it says "-". The RISC-V parts run on QEMU's virt
# board, whose RAM at 0x80000000 holds both budgets (it boots there with -bios none), with
# the extensions the part lacks switched off, so an instruction the part could not execute
# traps instead of passing unnoticed.
#   target         QEMU machine  QEMU CPU             flash origin  flash  RAM origin  RAM    stack  part
#                                                                   (KiB)              (KiB)  (KiB)
set(constnn_boards
  "cortex-m4f    mps2-an386    -                    0x00000000    1024   0x20000000  128    4      STM32F4-class Cortex-M4F: 1 MiB flash, 128 KiB SRAM"
  "cortex-m0plus microbit      -                    0x00000000    256    0x20000000  16     2      nRF51-class Cortex-M0+ (QEMU's micro:bit Cortex-M0 runs ARMv6-M code unchanged): 256 KiB flash, 16 KiB RAM"
  "cortex-m7     mps2-an500    -                    0x00000000    1024   0x20000000  320    4      STM32F746-class Cortex-M7: 1 MiB flash, 320 KiB SRAM"
  "cortex-m33    mps2-an505    -                    0x10000000    512    0x38000000  256    4      STM32L552-class Cortex-M33, running secure (code in the secure alias at 0x10000000): 512 KiB flash, 256 KiB SRAM"
  "cortex-m55    mps3-an547    -                    0x10000000    512    0x30000000  256    4      Corstone-300-class Cortex-M55, running secure: 512 KiB of ITCM for code, 256 KiB of DTCM for data"
  "riscv32-imac  virt          rv32,f=false,d=false 0x80000000    128    0x80020000  32     4      GD32VF103CB-class RV32IMAC (Bumblebee core, no FPU): 128 KiB flash, 32 KiB SRAM"
  "riscv32-imafc virt          rv32,d=false         0x80000000    192    0x80030000  128    4      CH32V307-class RV32IMAFC (QingKe V4F, single-precision FPU) with its option bytes set to 192 KiB flash and 128 KiB SRAM")

# Sets, in the caller's scope, constnn_board_<field> for `target`: machine, cpu (empty for
# the machine's own), flash_origin, flash_bytes, ram_origin, ram_bytes, stack_bytes,
# model_ram_bytes (RAM less the stack) and description. An unknown target is a configure
# error naming the known ones.
function(constnn_board target)
  set(names "")
  foreach(row IN LISTS constnn_boards)
    string(REGEX MATCH "^([^ ]+) +([^ ]+) +([^ ]+) +([^ ]+) +([0-9]+) +([^ ]+) +([0-9]+) +([0-9]+) +(.*)$" _ "${row}")
    list(APPEND names "${CMAKE_MATCH_1}")
    if(CMAKE_MATCH_1 STREQUAL target)
      math(EXPR flash "${CMAKE_MATCH_5} * 1024")
      math(EXPR ram "${CMAKE_MATCH_7} * 1024")
      math(EXPR stack "${CMAKE_MATCH_8} * 1024")
      math(EXPR model_ram "${ram} - ${stack}")
      set(cpu "${CMAKE_MATCH_3}")
      if(cpu STREQUAL "-")
        set(cpu "")
      endif()
      set(constnn_board_machine "${CMAKE_MATCH_2}" PARENT_SCOPE)
      set(constnn_board_cpu "${cpu}" PARENT_SCOPE)
      set(constnn_board_flash_origin "${CMAKE_MATCH_4}" PARENT_SCOPE)
      set(constnn_board_flash_bytes "${flash}" PARENT_SCOPE)
      set(constnn_board_ram_origin "${CMAKE_MATCH_6}" PARENT_SCOPE)
      set(constnn_board_ram_bytes "${ram}" PARENT_SCOPE)
      set(constnn_board_stack_bytes "${stack}" PARENT_SCOPE)
      set(constnn_board_model_ram_bytes "${model_ram}" PARENT_SCOPE)
      set(constnn_board_description "${CMAKE_MATCH_9}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "constnn: no firmware board for '${target}'; known targets: ${names}")
endfunction()

# Every target of the table, for the host build's per-target checks of its twin.
set(constnn_board_names "")
foreach(row IN LISTS constnn_boards)
  string(REGEX MATCH "^[^ ]+" name "${row}")
  list(APPEND constnn_board_names "${name}")
endforeach()
