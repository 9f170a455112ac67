/*
 * QinglianDesigner: the bpmn-js Modeler with a Chinese properties panel for Qinglian's process designer.
 *
 * Built by tools/build_designer.mjs into web/static/vendor/designer/modeler.js, an IIFE defining the
 * global `QinglianDesigner`. Link its CSS from the same folder: diagram-js.css, bpmn-js.css,
 * bpmn-font/css/bpmn.css and properties-panel.css (the pins' few rules are added by create() itself as a
 * <style id="ql-designer-style">, which the page's CSP allows: style-src 'unsafe-inline').
 *
 *   const designer = QinglianDesigner.create({
 *     canvas: HTMLElement,                 // where the diagram is drawn (give it a height)
 *     panel: HTMLElement,                  // where the properties panel goes
 *     roles: [{code: "DF", zh: "党风政风监督室", lane: "党风政风监督室"}, ...],
 *                                          // the roles, with the lane names the engine knows
 *     forms: ["issue.schema.json", "issue.uischema.json", ...],  // the process's form files (base names)
 *     decisions: ["evaluation", ...],      // DMN decision ids
 *     messages: ["case_filed", ...],       // optional: message names known elsewhere
 *   });
 *   const { warnings } = await designer.open(xmlString);
 *                                          // importXML + fit viewport; rejects with Error(message) on
 *                                          // bad XML; resolves with the import warnings (strings), e.g.
 *                                          // elements it could not read and will not write back
 *   const xml = await designer.xml();      // saveXML({format: true})
 *   const unplaced = designer.pin([{element: "C1_issue", message: "…"}, {element: null, message: "…"}]);
 *                                          // marks each known element: marker class 'ql-problem' (red) and
 *                                          // an overlay badge whose title/hover text is the message;
 *                                          // replaces earlier pins; returns the problems it could not
 *                                          // place (no element, or none with that id) for the page to list
 *   designer.clearPins();
 *   designer.select("C1_issue");           // select + scroll into view; false when there is no such element
 *   const off = designer.onChange(callback);  // every commandStack change (edit, undo, redo) but not
 *                                          // open(); callback({trigger}); off() unsubscribes
 *   designer.destroy();
 *   designer.modeler                       // the bpmn-js Modeler instance (tests, advanced use)
 *
 * Panel groups (qinglian_provider.js) edit what the engine reads: a lane's role (its name), a user
 * task's form files, instructions and due-date variable, scripts, pre-/post-scripts, gateway conditions,
 * timers, business rule decisions, called processes and messages; every edit goes through the
 * commandStack, so Ctrl+Z undoes it and onChange sees it. The spiffworkflow extension namespace
 * (spiff_moddle.json) round-trips unchanged.
 */

import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import Modeler from 'bpmn-js/lib/Modeler';

import { normalizeOptions } from './options.js';
import { createPins, injectStyle } from './problems.js';
import { QinglianPropertiesProviderModule } from './qinglian_provider.js';
import spiffModdle from './spiff_moddle.json';
import translateModule from './translate_zh.js';

export function create(options = {}) {
  const { canvas, panel } = options;
  if (!canvas || !panel) {
    throw new Error('QinglianDesigner.create: options.canvas and options.panel (HTML elements) are required');
  }
  injectStyle(canvas.ownerDocument);

  const modeler = new Modeler({
    container: canvas,
    propertiesPanel: { parent: panel, layout: { groups: { general: { open: true } } } },
    additionalModules: [
      translateModule,
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      QinglianPropertiesProviderModule,
    ],
    moddleExtensions: { spiffworkflow: spiffModdle },
    qinglian: normalizeOptions(options),
  });
  const pins = createPins(modeler);

  return {
    modeler,

    async open(xml) {
      let result;
      pins.clear();
      try {
        result = await modeler.importXML(xml);
      } catch (error) {
        throw new Error(`无法打开流程图：${error.message}`);
      }
      modeler.get('canvas').zoom('fit-viewport', 'auto');
      return { warnings: (result.warnings || []).map((warning) => warning.message) };
    },

    async xml() {
      const { xml } = await modeler.saveXML({ format: true });
      return xml;
    },

    pin(problems) {
      return pins.pin(problems);
    },

    clearPins() {
      pins.clear();
    },

    select(id) {
      const element = modeler.get('elementRegistry').get(id);
      if (!element) {
        return false;
      }
      modeler.get('canvas').scrollToElement(element);
      modeler.get('selection').select(element);
      return true;
    },

    onChange(callback) {
      const listener = (event) => {
        if (event.trigger !== 'clear') {
          callback({ trigger: event.trigger });
        }
      };
      const eventBus = modeler.get('eventBus');
      eventBus.on('commandStack.changed', listener);
      return () => eventBus.off('commandStack.changed', listener);
    },

    destroy() {
      modeler.destroy();
    },
  };
}
