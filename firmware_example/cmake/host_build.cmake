# Host side of the firmware example: the model header, the same application built for the
# host (its twin, told a target's RAM budget at run time), and the QEMU instruction-count
# plugin. Every cross build takes these from one host build (see cross_build.cmake).

set(fw_generated ${CMAKE_CURRENT_BINARY_DIR}/generated)
set(fw_header ${fw_generated}/firmware_model.hpp)
set(fw_int8_header ${fw_generated}/firmware_model_int8.hpp)
set(fw_metrics ${CMAKE_CURRENT_BINARY_DIR}/model_metrics.txt)
set(fw_int8_metrics ${CMAKE_CURRENT_BINARY_DIR}/model_int8_metrics.txt)
set(fw_cnn_header "")
set(fw_cnn_metrics ${CMAKE_CURRENT_BINARY_DIR}/model_cnn_metrics.txt)
set(fw_cnn_int8_header "")
set(fw_cnn_int8_metrics ${CMAKE_CURRENT_BINARY_DIR}/model_cnn_int8_metrics.txt)
set(fw_saved_model ${CMAKE_CURRENT_BINARY_DIR}/firmware_model.json)
set(fw_ocr_train ${CONSTNN_OCR_DATA_DIR}/largeTrain.csv)
set(fw_ocr_validation ${CONSTNN_OCR_DATA_DIR}/largeValidation.csv)
set(fw_fashion_files train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz
    t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
list(TRANSFORM fw_fashion_files PREPEND ${CONSTNN_FASHION_MNIST_DIR}/ OUTPUT_VARIABLE fw_fashion_paths)
set(fw_have_fashion TRUE)
foreach(f IN LISTS fw_fashion_paths)
  if(NOT EXISTS ${f})
    set(fw_have_fashion FALSE)
  endif()
endforeach()

if(CONSTNN_FIRMWARE_INT8_MODEL_HEADER AND NOT CONSTNN_FIRMWARE_MODEL_HEADER)
  # Built here, the int8 header is the quantized form of the float header's network; a
  # supplied one beside a float header trained here would compare two unrelated networks.
  message(FATAL_ERROR "constnn: CONSTNN_FIRMWARE_INT8_MODEL_HEADER needs "
                      "CONSTNN_FIRMWARE_MODEL_HEADER, the float header of the network it quantizes")
endif()
if(CONSTNN_FIRMWARE_MODEL_HEADER)
  configure_file(${CONSTNN_FIRMWARE_MODEL_HEADER} ${fw_header} COPYONLY)
  message(STATUS "constnn: firmware example uses ${CONSTNN_FIRMWARE_MODEL_HEADER}")
  if(CONSTNN_FIRMWARE_INT8_MODEL_HEADER)
    configure_file(${CONSTNN_FIRMWARE_INT8_MODEL_HEADER} ${fw_int8_header} COPYONLY)
    message(STATUS "constnn: firmware example's int8 network: ${CONSTNN_FIRMWARE_INT8_MODEL_HEADER}")
  else()
    # No model file to quantize it from: the int8 part is left out, and the firmware says so.
    set(fw_int8_header "")
    message(STATUS "constnn: firmware example without its int8 part: "
                   "CONSTNN_FIRMWARE_INT8_MODEL_HEADER is not set (train_export --quantize int8 "
                   "--namespace model_int8 writes one)")
  endif()
elseif(NOT TARGET train_export)
  message(STATUS "constnn: firmware example skipped: it needs train_export (CONSTNN_BUILD_HOST_TOOLS=ON)")
  return()
else()
  if(EXISTS ${fw_ocr_train} AND EXISTS ${fw_ocr_validation})
    # The reference network on the reference data.
    set(fw_train ${fw_ocr_train})
    set(fw_validation ${fw_ocr_validation})
    set(fw_data_deps ${fw_train} ${fw_validation})
    set(fw_hidden 50)
    set(fw_samples 32)
    set(fw_data_name "the OCR letters in ${CONSTNN_OCR_DATA_DIR}")
  elseif(fw_have_fashion AND TARGET fashion_mnist_to_csv)
    # 784 inputs make every hidden unit cost 3 KiB of flash, so a small hidden layer and a
    # subset keep the model inside the M0+'s 256 KiB and the demo well under a minute. Each
    # embedded sample costs 3,920 bytes of flash (float and int8): with 16, the RV32IMAC's
    # 128 KiB overflowed by 41,552 bytes and the RV32IMAFC's 192 KiB by 18,504.
    set(fw_train ${CMAKE_CURRENT_BINARY_DIR}/fashion_train.csv)
    set(fw_validation ${CMAKE_CURRENT_BINARY_DIR}/fashion_validation.csv)
    add_custom_command(
      OUTPUT ${fw_train} ${fw_validation}
      COMMAND fashion_mnist_to_csv --images ${CONSTNN_FASHION_MNIST_DIR}/train-images-idx3-ubyte.gz
              --labels ${CONSTNN_FASHION_MNIST_DIR}/train-labels-idx1-ubyte.gz --count 10000
              --output ${fw_train}
      COMMAND fashion_mnist_to_csv --images ${CONSTNN_FASHION_MNIST_DIR}/t10k-images-idx3-ubyte.gz
              --labels ${CONSTNN_FASHION_MNIST_DIR}/t10k-labels-idx1-ubyte.gz --count 2000
              --output ${fw_validation}
      DEPENDS fashion_mnist_to_csv ${fw_fashion_paths}
      COMMENT "Converting Fashion-MNIST to CSV for the firmware example's model"
      VERBATIM)
    set(fw_data_deps ${fw_train} ${fw_validation})
    set(fw_hidden 16)
    set(fw_samples 4)
    set(fw_data_name "Fashion-MNIST (10000 training, 2000 validation images)")
  else()
    message(WARNING "constnn: firmware example skipped: neither the OCR data "
                    "(${CONSTNN_OCR_DATA_DIR}) nor Fashion-MNIST (${CONSTNN_FASHION_MNIST_DIR}, "
                    "Debian package dataset-fashion-mnist) is there to train its model on")
    return()
  endif()
  if(fw_train STREQUAL fw_ocr_train AND CONSTNN_FIRMWARE_ONNX_CNN)
    # The CNN part's weights from a model trained in PyTorch (the README's "from PyTorch to
    # the device"): imported with the firmware's own samples, whose classes the host's import
    # predicted, so every target must predict them too before it fine-tunes the model.
    set(fw_cnn_header ${fw_generated}/firmware_cnn_onnx.hpp)
    add_custom_command(
      OUTPUT ${fw_cnn_header} ${fw_cnn_metrics}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${fw_generated}
      COMMAND train_export --from-onnx ${CONSTNN_FIRMWARE_ONNX_CNN} --validation ${fw_validation}
              --header ${fw_cnn_header} --namespace model_cnn --embed-samples ${fw_samples}
              --metrics ${fw_cnn_metrics} --quiet
      DEPENDS train_export ${CONSTNN_FIRMWARE_ONNX_CNN} ${fw_validation}
      COMMENT "Importing the firmware example's CNN from ${CONSTNN_FIRMWARE_ONNX_CNN}"
      VERBATIM)
    # The same model quantized to int8 (calibrated on the training set), with the same
    # samples: its convolutions run the targets' int8 kernels in a whole network.
    set(fw_cnn_int8_header ${fw_generated}/firmware_cnn_int8.hpp)
    add_custom_command(
      OUTPUT ${fw_cnn_int8_header} ${fw_cnn_int8_metrics}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${fw_generated}
      COMMAND train_export --from-onnx ${CONSTNN_FIRMWARE_ONNX_CNN} --quantize int8
              --calibration ${fw_train} --validation ${fw_validation}
              --header ${fw_cnn_int8_header} --namespace model_cnn_int8
              --embed-samples ${fw_samples} --metrics ${fw_cnn_int8_metrics} --quiet
      DEPENDS train_export ${CONSTNN_FIRMWARE_ONNX_CNN} ${fw_train} ${fw_validation}
      COMMENT "Quantizing the firmware example's imported CNN to int8"
      VERBATIM)
  endif()
  add_custom_command(
    OUTPUT ${fw_header} ${fw_metrics} ${fw_saved_model}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${fw_generated}
    COMMAND train_export --train ${fw_train} --validation ${fw_validation}
            --epochs ${CONSTNN_FIRMWARE_EPOCHS} --hidden ${fw_hidden} --init random --seed 0
            --lr 0.01 --precision float --header ${fw_header} --namespace model
            --embed-samples ${fw_samples} --metrics ${fw_metrics}
            --save-model ${fw_saved_model} --quiet
    DEPENDS train_export ${fw_data_deps}
    COMMENT "Training the firmware example's model on ${fw_data_name}"
    VERBATIM)
  # The same trained weights, read back bit for bit from the model file (no second training),
  # quantized to int8 with the training set as calibration data; the same samples embedded.
  add_custom_command(
    OUTPUT ${fw_int8_header} ${fw_int8_metrics}
    COMMAND train_export --train ${fw_train} --validation ${fw_validation}
            --model ${fw_saved_model} --epochs 0 --quantize int8 --header ${fw_int8_header}
            --namespace model_int8 --embed-samples ${fw_samples} --metrics ${fw_int8_metrics}
            --quiet
    DEPENDS train_export ${fw_saved_model} ${fw_data_deps}
    COMMENT "Quantizing the firmware example's model to int8"
    VERBATIM)
endif()
add_custom_target(firmware_model_header
                  DEPENDS ${fw_header} ${fw_int8_header} ${fw_cnn_header} ${fw_cnn_int8_header})

add_executable(firmware_example_host ${fw_src}/app.cpp ${fw_src}/host_twin_main.cpp
               ${fw_src}/platform_host.cpp ${fw_src}/bench_markers.cpp ${fw_header}
               ${fw_int8_header} ${fw_cnn_header} ${fw_cnn_int8_header})
target_include_directories(firmware_example_host PRIVATE ${fw_generated})
if(fw_int8_header)
  target_compile_definitions(firmware_example_host PRIVATE CONSTNN_FIRMWARE_HAS_INT8=1)
endif()
if(fw_cnn_header)
  target_compile_definitions(firmware_example_host PRIVATE CONSTNN_FIRMWARE_HAS_ONNX_CNN=1)
endif()
if(fw_cnn_int8_header)
  target_compile_definitions(firmware_example_host PRIVATE CONSTNN_FIRMWARE_HAS_CNN_INT8=1)
endif()
target_link_libraries(firmware_example_host PRIVATE constnn::constnn constnn_warnings)

# The instruction counter is a QEMU plugin, hence a host shared object written in C.
enable_language(C)
add_library(constnn_insn_count MODULE ${CMAKE_CURRENT_SOURCE_DIR}/qemu/insn_count.c)
set_target_properties(constnn_insn_count PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
                      C_VISIBILITY_PRESET hidden)
target_link_libraries(constnn_insn_count PRIVATE constnn_warnings)

# What a cross build needs from here, built by one target so the cross build can ask for it.
add_custom_target(constnn_firmware_host_side)
add_dependencies(constnn_firmware_host_side firmware_example_host constnn_insn_count)
# Where those files are, for the cross builds (CONSTNN_HOST_BUILD_DIR names this build). The
# source directory lets a cross build refuse a host build of another checkout.
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/constnn-firmware-host.cmake CONTENT
"# Generated by constnn's host build (firmware_example/cmake/host_build.cmake) for cross builds.
set(constnn_host_source_dir \"${PROJECT_SOURCE_DIR}\")
set(constnn_host_generator \"${CMAKE_GENERATOR}\")
set(constnn_host_model_header \"${fw_header}\")
set(constnn_host_int8_model_header \"${fw_int8_header}\")
set(constnn_host_onnx_cnn_header \"${fw_cnn_header}\")
set(constnn_host_cnn_int8_header \"${fw_cnn_int8_header}\")
set(constnn_host_twin \"$<TARGET_FILE:firmware_example_host>\")
set(constnn_host_insn_count_plugin \"$<TARGET_FILE:constnn_insn_count>\")
")
